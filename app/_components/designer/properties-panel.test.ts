import { describe, expect, it } from 'vitest';
import { importBpmn } from '@/engine/bpmn/import';
import { TRELLIS_NS } from '@/engine/bpmn/trellis-moddle';
import { evaluateExpression } from '@/engine/expressions/feel';
import { dueDateShown, dueDateWritten } from './properties-panel';

const withDue = (due: string) => `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:trellis="${TRELLIS_NS}" id="d" targetNamespace="t">
  <bpmn:process id="p" isExecutable="true">
    <bpmn:startEvent id="start"/><bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="review"/>
    <bpmn:userTask id="review" trellis:candidateGroups="hr" trellis:dueDate="${due.replace(/"/g, '&quot;')}"/>
    <bpmn:sequenceFlow id="f2" sourceRef="review" targetRef="end"/><bpmn:endEvent id="end"/>
  </bpmn:process>
</bpmn:definitions>`;

describe('a due date typed in the properties panel', () => {
  it('is a FEEL string when it is an ISO duration or date, so the importer and the engine read the value, not a variable named P3D', async () => {
    for (const [typed, value] of [
      ['P3D', 'P3D'],
      [' PT4H ', 'PT4H'],
      ['P1W', 'P1W'],
      ['2026-12-31', '2026-12-31'],
      ['2026-12-31T17:00:00+07:00', '2026-12-31T17:00:00+07:00'],
    ] as const) {
      const written = dueDateWritten(typed);
      expect(written).toBe(JSON.stringify(value));
      const { definition } = await importBpmn(withDue(written));
      const task = (definition.elements as { id: string; dueDate?: string }[]).find((e) => e.id === 'review')!;
      expect(task.dueDate).toBe(written);
      expect(evaluateExpression(task.dueDate!, {}).value).toBe(value);
      // and the field shows what was typed, without the quotes
      expect(dueDateShown(written)).toBe(value);
    }
  });

  it('is an expression otherwise, with a leading = dropped as in Camunda 8, and shown as written', () => {
    expect(dueDateWritten('=dueBy')).toBe('dueBy');
    expect(dueDateWritten('deadline')).toBe('deadline');
    expect(dueDateWritten('P3X')).toBe('P3X');
    expect(dueDateShown('dueBy')).toBe('dueBy');
    expect(dueDateShown('"not a date"')).toBe('"not a date"');
  });
});
