'use client';

/**
 * Loads the designer in the browser only: bpmn-js needs the DOM, and its code (with the engine's
 * importer and validator) is fetched on designer pages alone, so the inbox never pays for it.
 */
import dynamic from 'next/dynamic';
import type { DesignerProps } from './designer';

const Designer = dynamic(() => import('./designer'), {
  ssr: false,
  loading: () => <div className="designer-canvas designer-loading" aria-busy="true" />,
});

export function DesignerLoader(props: DesignerProps) {
  return <Designer {...props} />;
}
