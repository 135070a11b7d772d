import { PageRefusal } from './_components/page-refusal';

/** The 403 page where no segment says more (pageData calls forbidden()). */
export default function Forbidden() {
  return <PageRefusal title="forbiddenTitle" message="forbiddenText" />;
}
