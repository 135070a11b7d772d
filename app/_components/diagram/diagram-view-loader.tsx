'use client';

/** Loads the read-only diagram in the browser only, on the pages that show one (bpmn-js is not in the inbox's bundle). */
import dynamic from 'next/dynamic';
import type { DiagramViewProps } from './diagram-view';

const DiagramView = dynamic(() => import('./diagram-view'), {
  ssr: false,
  loading: () => <div className="diagram-view diagram-loading" aria-busy="true" />,
});

export function DiagramViewLoader(props: DiagramViewProps) {
  return <DiagramView {...props} />;
}
