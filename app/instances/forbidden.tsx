import { PageRefusal } from '../_components/page-refusal';

/** The 403 page of /instances: who may see the list, and where to follow one's own requests instead. */
export default function Forbidden() {
  return (
    <PageRefusal
      title="forbiddenTitle"
      message="runnerInstancesRefused"
      link={{ href: '/requests', label: 'navRequests' }}
    />
  );
}
