import { describe, expect, it } from 'vitest';
import { importBpmn } from '@/engine/bpmn/import';
import { TRELLIS_NS } from '@/engine/bpmn/trellis-moddle';
import { checkExpression, evaluateExpression } from '@/engine/expressions/feel';
import { parseCycle, parseInstant } from '@/engine/time/iso8601';
import { dueDateShown, dueDateWritten } from './assignment-fields';
import { approvalsDone, localIso, nextWeekly, timerWords } from './properties-panel';

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

describe('a timer in words', () => {
  it('writes "every Monday at 09:00" as a weekly ISO 8601 cycle from the next Monday, local time with its offset, which the engine reads back', () => {
    // Saturday 5 December 2026, 10:00 local
    const saturday = new Date(2026, 11, 5, 10, 0);
    const start = nextWeekly(1, '09:00', saturday);
    expect(start.startsWith('2026-12-07T09:00:00')).toBe(true);
    const cycle = parseCycle(`R/${start}/P1W`);
    expect(cycle).toMatchObject({ repetitions: null, interval: { weeks: 1 } });
    expect(cycle!.start!.getTime()).toBe(new Date(2026, 11, 7, 9, 0).getTime());
    expect(timerWords({ cycle: `R/${start}/P1W` })).toEqual({ kind: 'weekly', weekday: 1, time: '09:00' });
    // later the same day: today's time has passed, so next week
    expect(nextWeekly(6, '09:00', saturday).startsWith('2026-12-12T09:00')).toBe(true);
    expect(nextWeekly(6, '11:00', saturday).startsWith('2026-12-05T11:00')).toBe(true);
  });

  it('writes a date and time with the local offset, and a wait as a duration; reads both back', () => {
    const at = localIso(new Date(2026, 11, 31, 17, 0));
    expect(parseInstant(at)!.getTime()).toBe(new Date(2026, 11, 31, 17, 0).getTime());
    expect(timerWords({ date: at })).toEqual({ kind: 'date', local: '2026-12-31T17:00' });
    expect(timerWords({ duration: 'P2D' })).toEqual({ kind: 'duration', amount: '2', unit: 'D' });
    expect(timerWords({ duration: 'PT4H' })).toEqual({ kind: 'duration', amount: '4', unit: 'H' });
    // what the words cannot say stays as written
    expect(timerWords({ cycle: 'R3/PT10H' })).toBeUndefined();
    expect(timerWords({ duration: '=reminderWait' })).toBeUndefined();
  });
});

describe('done when N approve', () => {
  it('is FEEL the sandbox accepts, true once that many collected decisions approve', () => {
    const condition = approvalsDone('decisions', 2);
    expect(checkExpression(condition)).toBeNull();
    const approve = { decision: 'approve' };
    const reject = { decision: 'reject' };
    expect(evaluateExpression(condition, { decisions: [approve, reject] }).value).toBe(false);
    expect(evaluateExpression(condition, { decisions: [approve, reject, approve] }).value).toBe(true);
  });
});

describe('a form key suggested for an element', () => {
  it('is a valid key made of the element id’s words', async () => {
    const { suggestedFormKey } = await import('./properties-panel');
    const { keySchema } = await import('@/engine/model/definition');
    for (const [id, key] of [
      ['reviewInvoice', 'review-invoice-form'],
      ['Activity_0x1y2z', 'activity-0x1y2z-form'],
      ['leave-request-start', 'leave-request-start-form'],
      ['_1', 'form-1-form'],
    ] as const) {
      expect(suggestedFormKey(id)).toBe(key);
      expect(keySchema.safeParse(suggestedFormKey(id)).success).toBe(true);
    }
  });
});
