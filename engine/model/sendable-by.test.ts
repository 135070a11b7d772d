/**
 * Who may send a message or broadcast a signal (`sendableBy`): declared on what waits for it
 * (message and signal catch events, receive tasks, boundary events, start events), validated as
 * startableBy is, refused on throw events, kept in canonical form, carried through BPMN as
 * trellis:sendableBy / trellis:sendableByRoles on the event definition or receive task, and read
 * back for the host by the id its subscription carries.
 */
import { describe, expect, it } from 'vitest';
import { exportBpmn } from '../bpmn/export';
import { importBpmn } from '../bpmn/import';
import { validateDefinition } from '../validate/validate';
import { canonicalJson } from './canonical';
import type { ProcessDefinition, ProcessDefinitionInput } from './definition';
import { sendTargetOf, signalDeclarations } from './senders';

const flow = (id: string, source: string, target: string) => ({ id, source, target });
const accounting = { groups: ['accounting'], roles: ['designer'] };

/** start → approval (message catch) → review (user task, with a message boundary) → paid (receive task, ×3) → e; an event subprocess on a signal; a signal start. */
const definition = {
  formatVersion: 1,
  key: 'invoice-approval',
  version: 1,
  name: 'Invoice approval',
  elements: [
    { id: 's', type: 'startEvent' },
    {
      id: 'byBank',
      type: 'startEvent',
      event: { kind: 'signal', name: 'quarter-closed', sendableBy: { roles: ['staff'] } },
    },
    {
      id: 'approval',
      type: 'intermediateCatchEvent',
      name: { en: 'Approval', vi: 'Phê duyệt' },
      event: { kind: 'message', name: 'invoice-approved', correlationKey: 'invoiceNumber', sendableBy: accounting },
    },
    { id: 'review', type: 'userTask', formKey: 'review', candidateGroups: ['accounting'] },
    {
      id: 'recall',
      type: 'boundaryEvent',
      attachedTo: 'review',
      event: { kind: 'message', name: 'invoice-recalled', sendableBy: { groups: ['operations'] } },
    },
    {
      id: 'paid',
      type: 'receiveTask',
      message: {
        name: 'payment-received',
        correlationKey: 'invoiceNumber',
        sendableBy: { groups: ['accounting', 'treasury'] },
      },
      multiInstance: { cardinality: '3' },
    },
    { id: 'e', type: 'endEvent' },
    { id: 'recalled', type: 'endEvent' },
    {
      id: 'onClose',
      type: 'subProcess',
      triggeredByEvent: true,
      elements: [
        {
          id: 'closed',
          type: 'startEvent',
          interrupting: false,
          event: { kind: 'signal', name: 'quarter-closed', sendableBy: { groups: ['risk'] } },
        },
        { id: 'noted', type: 'endEvent' },
      ],
      flows: [flow('g1', 'closed', 'noted')],
    },
    { id: 'announce', type: 'intermediateThrowEvent', event: { kind: 'signal', name: 'invoice-done' } },
  ],
  flows: [
    flow('f1', 's', 'approval'),
    flow('f0', 'byBank', 'approval'),
    flow('f2', 'approval', 'review'),
    flow('f3', 'review', 'paid'),
    flow('f4', 'paid', 'announce'),
    flow('f6', 'announce', 'e'),
    flow('f5', 'recall', 'recalled'),
  ],
} as ProcessDefinitionInput;

const valid = (input: unknown): ProcessDefinition => {
  const result = validateDefinition(input);
  if (!result.ok) throw new Error(result.diagnostics.map((d) => d.message).join('\n'));
  return result.definition;
};

describe('sendableBy', () => {
  it('is accepted on message and signal catch events, boundary events, receive tasks and start events', () => {
    expect(valid(definition).elements.find((e) => e.id === 'approval')).toMatchObject({
      event: { sendableBy: accounting },
    });
  });

  const withElement = (element: object) => ({
    ...definition,
    elements: [...(definition.elements as { id: string }[]).filter((e) => e.id !== 'announce'), element],
  });

  it.each([
    [{ roles: ['auditor'] }, 'elements[9].event.sendableBy.roles[0]'],
    [{ groups: ['Phòng Kế toán'] }, 'elements[9].event.sendableBy.groups[0]'],
    [{}, 'elements[9].event.sendableBy'],
    [{ groups: [], roles: [] }, 'elements[9].event.sendableBy'],
    [['accounting'], 'elements[9].event.sendableBy'],
  ])('refuses %j, naming the field %s', (sendableBy, path) => {
    const result = validateDefinition(
      withElement({
        id: 'announce',
        type: 'intermediateCatchEvent',
        event: { kind: 'signal', name: 'invoice-done', sendableBy },
      }),
    );
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.diagnostics.map((d) => d.path)).toContain(path);
  });

  it('says how to fix an empty one', () => {
    const result = validateDefinition(
      withElement({
        id: 'announce',
        type: 'intermediateCatchEvent',
        event: { kind: 'message', name: 'x', sendableBy: {} },
      }),
    );
    expect(result.ok ? '' : result.diagnostics[0]!.message).toContain(
      'leave sendableBy out so that only admins and processes may send it',
    );
  });

  it('is refused on a throw event, which sends the message or signal itself', () => {
    const result = validateDefinition(
      withElement({
        id: 'announce',
        type: 'intermediateThrowEvent',
        event: { kind: 'signal', name: 'invoice-done', sendableBy: { roles: ['staff'] } },
      }),
    );
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.diagnostics[0]).toMatchObject({
      elementId: 'announce',
      message: expect.stringContaining('sendableBy'),
    });
  });

  it('is canonical whatever the order of its lists', () => {
    const reordered = structuredClone(definition) as { elements: { id: string; event?: { sendableBy?: object } }[] };
    reordered.elements.find((e) => e.id === 'approval')!.event!.sendableBy = {
      roles: ['designer'],
      groups: ['accounting', 'accounting'],
    };
    expect(canonicalJson(reordered as ProcessDefinitionInput)).toBe(canonicalJson(definition));
  });

  it('goes to BPMN as trellis:sendableBy and trellis:sendableByRoles and comes back the same', async () => {
    const xml = await exportBpmn(definition);
    expect(xml).toMatch(
      /<bpmn:messageEventDefinition [^>]*trellis:sendableBy="accounting" trellis:sendableByRoles="designer"/,
    );
    expect(xml).toMatch(/<bpmn:receiveTask [^>]*trellis:sendableBy="accounting, treasury"/);
    expect(xml).toMatch(/<bpmn:signalEventDefinition [^>]*trellis:sendableByRoles="staff"/);
    const back = await importBpmn(xml);
    expect(canonicalJson({ ...back.definition, diagrams: undefined })).toBe(
      canonicalJson({ ...valid(definition), diagrams: undefined }),
    );
  });

  it('is not read from a throw event in BPMN, and an unknown role is refused naming the field', async () => {
    const xml = await exportBpmn(definition);
    const onThrow = xml.replace(
      /(<bpmn:intermediateThrowEvent id="announce"[^]*?<bpmn:signalEventDefinition )/,
      '$1trellis:sendableBy="accounting" ',
    );
    expect(onThrow).not.toBe(xml);
    const back = await importBpmn(onThrow);
    expect((back.definition.elements as { id: string }[]).find((e) => e.id === 'announce')).toMatchObject({
      event: { kind: 'signal', name: 'invoice-done' },
    });
    expect(
      JSON.stringify((back.definition.elements as { id: string }[]).find((e) => e.id === 'announce')),
    ).not.toContain('sendableBy');
    await expect(
      importBpmn(xml.replace('sendableByRoles="designer"', 'sendableByRoles="designer, manager"')),
    ).rejects.toThrow(/sendableBy\.roles\.1: Invalid option/);
  });
});

describe('reading who may send, for the host', () => {
  const d = valid(definition);

  it('finds the declaration by the id a subscription carries, a multi-instance receive task as X__item', () => {
    expect(sendTargetOf(d, 'approval')).toEqual({
      elementId: 'approval',
      elementName: { en: 'Approval', vi: 'Phê duyệt' },
      kind: 'message',
      name: 'invoice-approved',
      processStart: false,
      sendableBy: accounting,
    });
    expect(sendTargetOf(d, 'recall')).toMatchObject({ kind: 'message', sendableBy: { groups: ['operations'] } });
    expect(sendTargetOf(d, 'paid__item')).toMatchObject({
      kind: 'message',
      name: 'payment-received',
      sendableBy: { groups: ['accounting', 'treasury'] },
    });
    expect(sendTargetOf(d, 'closed')).toMatchObject({ kind: 'signal', processStart: false });
    expect(sendTargetOf(d, 'byBank')).toMatchObject({ kind: 'signal', processStart: true });
    expect(sendTargetOf(d, 'review')).toBeUndefined();
    expect(sendTargetOf(d, 'announce')).toBeUndefined();
  });

  it('lists every declaration of a signal (what makes it public), none of an undeclared one', () => {
    expect(signalDeclarations(d, 'quarter-closed').map((t) => [t.elementId, t.sendableBy])).toEqual([
      ['byBank', { roles: ['staff'] }],
      ['closed', { groups: ['risk'] }],
    ]);
    expect(signalDeclarations(d, 'invoice-done')).toEqual([]);
  });
});
