/**
 * What the diagram shows of an instance, from its history: the elements it passed (how many times
 * each: a loop shows its count), where its tokens wait now, and its incidents. One rule for the
 * instance page and the task page (InstanceDiagram draws it).
 */
export interface MarkedInstance {
  status: string;
  positions: string[];
  history: { type: string; elementId: string | null }[];
  incident: { elementId?: string | null } | null;
  failedJobs: { elementId: string | null }[];
}

export function instanceMarks(instance: MarkedInstance) {
  const done: Record<string, number> = {};
  for (const e of instance.history)
    if (e.elementId && (e.type === 'element.completed' || e.type === 'timer.fired'))
      done[e.elementId] = (done[e.elementId] ?? 0) + 1;
  const running = instance.status === 'active' || instance.status === 'incident';
  const waiting: Record<string, number> = {};
  if (running)
    for (const p of instance.positions)
      if (!p.startsWith('@') && !p.startsWith('!')) waiting[p] = (waiting[p] ?? 0) + 1;
  const incidents = [
    ...(instance.status === 'incident' && instance.incident?.elementId ? [instance.incident.elementId] : []),
    ...instance.failedJobs.map((j) => j.elementId).filter((id): id is string => !!id),
  ];
  return { done, waiting, incidents };
}
