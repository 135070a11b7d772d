import { PageRefusal } from '../_components/page-refusal';

/** The 403 page of /analytics: who may see process analytics, and where to follow one's own requests instead. */
export default function Forbidden() {
  return (
    <PageRefusal title="forbiddenTitle" message="analyticsRefused" link={{ href: '/requests', label: 'navRequests' }} />
  );
}
