/**
 * What the designer, the version pages and the instance page draw over a bpmn-js diagram (the
 * modeler's or a viewer's): names in the page's language, markers by element, ghosts of elements
 * another version had, and count badges. DOM only; the facts come from the engine.
 */
import { localize, type Diagram, type LocalizedText } from '@/engine/model/definition';
import type { Locale } from '../../_i18n/messages';

interface BusinessObject {
  id: string;
  name?: string;
  extensionElements?: { values?: { $type: string; lang?: string; of?: string; text?: string }[] };
}
interface Shape {
  id: string;
  businessObject?: BusinessObject;
  /** The external label of an event, gateway, data object or flow. */
  label?: Shape;
}
/** The part of a bpmn-js instance these helpers use (Viewer, NavigatedViewer and Modeler alike). */
export interface BpmnInstance {
  get(name: string): unknown;
}

const isNameTranslation = (v: { $type: string; of?: string }) =>
  v.$type === 'trellis:Translation' && (v.of === undefined || v.of === 'name');

/** Shows each element's name in the page's language, where the definition has it (names are kept per language). */
export function showTranslations(m: BpmnInstance, locale: Locale) {
  const registry = m.get('elementRegistry') as { getAll(): Shape[] };
  const eventBus = m.get('eventBus') as { fire(event: string, data: unknown): void };
  for (const element of registry.getAll()) {
    const bo = element.businessObject;
    if (!bo) continue;
    const own = bo.extensionElements?.values?.find((v) => isNameTranslation(v) && v.lang === locale);
    if (own?.text && own.text !== bo.name) {
      bo.name = own.text;
      eventBus.fire('element.changed', { element });
      // An event's, a gateway's or a flow's name is drawn by its label, an element of its own.
      if (element.label) eventBus.fire('element.changed', { element: element.label });
    }
  }
}

/** Puts the markers given (element id → marker class) on the diagram, after taking off every marker of the same family. */
export function setMarks(m: BpmnInstance, family: readonly string[], marks: Record<string, string>) {
  const canvas = m.get('canvas') as {
    addMarker(id: string, marker: string): void;
    removeMarker(id: string, marker: string): void;
  };
  const registry = m.get('elementRegistry') as { getAll(): Shape[]; get(id: string): Shape | undefined };
  for (const e of registry.getAll()) for (const marker of family) canvas.removeMarker(e.id, marker);
  for (const [id, marker] of Object.entries(marks)) if (registry.get(id)) canvas.addMarker(id, marker);
}

const SVG = 'http://www.w3.org/2000/svg';

/**
 * Draws elements another version had and this one does not, where that version drew them: a dashed
 * outline (a line for a flow) with the name, on a layer of their own under the diagram's shapes.
 * Called again with no ids, it clears them.
 */
export function drawGhosts(
  m: BpmnInstance,
  ids: string[],
  diagrams: Diagram[] | undefined,
  names: Map<string, LocalizedText | undefined>,
  locale: Locale,
) {
  const canvas = m.get('canvas') as { getLayer(name: string, index?: number): SVGGElement };
  const layer = canvas.getLayer('trellis-ghosts', -1);
  while (layer.firstChild) layer.removeChild(layer.firstChild);
  for (const id of ids) {
    for (const diagram of diagrams ?? []) {
      const shape = diagram.shapes[id];
      const edge = diagram.edges[id];
      const g = document.createElementNS(SVG, 'g');
      g.setAttribute('class', 'trellis-ghost');
      g.setAttribute('data-ghost-id', id);
      if (shape) {
        const rect = document.createElementNS(SVG, 'rect');
        for (const [k, v] of Object.entries({
          x: shape.x,
          y: shape.y,
          width: shape.width,
          height: shape.height,
          rx: 8,
        }))
          rect.setAttribute(k, String(v));
        g.appendChild(rect);
        const label = document.createElementNS(SVG, 'text');
        label.setAttribute('x', String(shape.x + 4));
        label.setAttribute('y', String(shape.y + shape.height + 14));
        // Text content, never markup: a name is the designer's text.
        label.textContent = `− ${localize(names.get(id), locale) ?? id}`;
        g.appendChild(label);
      } else if (edge && edge.waypoints.length > 1) {
        const line = document.createElementNS(SVG, 'polyline');
        line.setAttribute('points', edge.waypoints.map(([x, y]) => `${x},${y}`).join(' '));
        g.appendChild(line);
      } else continue;
      layer.appendChild(g);
      break;
    }
  }
}

/** Small badges on elements (e.g. how many tokens wait there): element id → text. */
export function setBadges(m: BpmnInstance, badges: Record<string, { text: string; kind: string; label: string }>) {
  const overlays = m.get('overlays') as {
    remove(filter: { type: string }): void;
    add(id: string, type: string, o: { position: { top?: number; right?: number }; html: HTMLElement }): void;
  };
  const registry = m.get('elementRegistry') as { get(id: string): Shape | undefined };
  overlays.remove({ type: 'trellis-badge' });
  for (const [id, badge] of Object.entries(badges)) {
    if (!registry.get(id)) continue;
    const html = document.createElement('span');
    html.className = `trellis-badge trellis-badge-${badge.kind}`;
    html.textContent = badge.text;
    html.title = badge.label;
    html.setAttribute('aria-label', badge.label);
    overlays.add(id, 'trellis-badge', { position: { top: -10, right: 10 }, html });
  }
}

/**
 * The heat overlay (process analytics): an element's level by its median waiting time, in seconds —
 * under 1 hour, 1–8 hours, 8 hours–1 day, 1–3 days, 3 days or more — drawn as the marker
 * `trellis-heat-<level>` with setMarks, its number as a badge with setBadges (colour is never the
 * only carrier).
 */
export const HEAT_BOUNDS = [3_600, 8 * 3_600, 86_400, 3 * 86_400] as const;
export const HEAT_FAMILY = [
  'trellis-heat-0',
  'trellis-heat-1',
  'trellis-heat-2',
  'trellis-heat-3',
  'trellis-heat-4',
] as const;

export function heatLevel(seconds: number): number {
  let level = 0;
  while (level < HEAT_BOUNDS.length && seconds >= HEAT_BOUNDS[level]!) level++;
  return level;
}
