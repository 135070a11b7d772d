import { PageRefusal } from '../../_components/page-refusal';

/** The 403 page of a process the caller may not start, with the way to those they may. */
export default function Forbidden() {
  return (
    <PageRefusal title="forbiddenTitle" message="startNotYours" link={{ href: '/start', label: 'startListLink' }} />
  );
}
