import { PageRefusal } from '../../_components/page-refusal';

/** The 403 page of /admin/inbound-hooks: what is not theirs here, in the reader's language (pageData calls forbidden()). */
export default function Forbidden() {
  return <PageRefusal title="forbiddenTitle" message="inboundHooksAdminsOnly" />;
}
