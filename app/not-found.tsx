import { PageRefusal } from './_components/page-refusal';

/** The 404 page: an address that names nothing (or another company's), in the reader's language. */
export default function NotFound() {
  return <PageRefusal title="notFoundTitle" message="notFoundText" />;
}
