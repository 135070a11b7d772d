/**
 * Who may start a process (`startableBy`): departments and/or roles, validated by the model,
 * kept in canonical form, and carried through BPMN as trellis:startableBy (departments) and
 * trellis:startableByRoles (roles) on the process.
 */
import { describe, expect, it } from 'vitest';
import { exportBpmn } from '../bpmn/export';
import { importBpmn } from '../bpmn/import';
import { validateDefinition } from '../validate/validate';
import { canonicalJson } from './canonical';
import type { ProcessDefinitionInput } from './definition';

const base: ProcessDefinitionInput = {
  formatVersion: 1,
  key: 'leave-request',
  version: 1,
  name: { en: 'Leave request', vi: 'Đơn xin nghỉ phép' },
  elements: [
    { id: 's', type: 'startEvent' },
    { id: 'e', type: 'endEvent' },
  ],
  flows: [{ id: 'f1', source: 's', target: 'e' }],
};

describe('startableBy', () => {
  it('accepts departments and roles', () => {
    const result = validateDefinition({ ...base, startableBy: { groups: ['hr', 'operations'], roles: ['designer'] } });
    expect(result.ok).toBe(true);
  });

  it.each([
    [{ roles: ['auditor'] }, 'startableBy.roles[0]'],
    [{ groups: ['Phòng Nhân sự'] }, 'startableBy.groups[0]'],
    [{}, 'startableBy'],
    [{ groups: [], roles: [] }, 'startableBy'],
    [{ departments: ['hr'] }, 'startableBy'],
    [['hr'], 'startableBy'],
  ])('refuses %j, naming the field %s', (startableBy, path) => {
    const result = validateDefinition({ ...base, startableBy });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.diagnostics.map((d) => d.path)).toContain(path);
    expect(result.diagnostics.find((d) => d.path === path)!.message).toMatch(/^startableBy/);
  });

  it('says how to fix an empty one', () => {
    const result = validateDefinition({ ...base, startableBy: {} });
    expect(result.ok ? '' : result.diagnostics[0]!.message).toContain(
      'leave startableBy out so that every member may start the process',
    );
  });

  it('is canonical whatever the order of its lists', () => {
    expect(
      canonicalJson({ ...base, startableBy: { roles: ['staff', 'designer'], groups: ['risk', 'hr', 'risk'] } }),
    ).toBe(canonicalJson({ ...base, startableBy: { groups: ['hr', 'risk'], roles: ['designer', 'staff'] } }));
  });

  it('goes to BPMN as trellis:startableBy and trellis:startableByRoles and comes back the same', async () => {
    const definition = {
      ...base,
      startableBy: { groups: ['hr', 'operations'], roles: ['staff'] },
    } as ProcessDefinitionInput;
    const xml = await exportBpmn(definition);
    expect(xml).toMatch(/trellis:startableBy="hr, operations"/);
    expect(xml).toMatch(/trellis:startableByRoles="staff"/);
    const back = await importBpmn(xml);
    expect(back.definition.startableBy).toEqual({ groups: ['hr', 'operations'], roles: ['staff'] });
  });

  it('refuses to import a role Trellis does not know, naming the field', async () => {
    const xml = (await exportBpmn({ ...base, startableBy: { roles: ['staff'] } } as ProcessDefinitionInput)).replace(
      'startableByRoles="staff"',
      'startableByRoles="staff, manager"',
    );
    await expect(importBpmn(xml)).rejects.toThrow(
      /startableBy\.roles\.1: Invalid option: expected one of "admin"\|"designer"\|"staff"/,
    );
  });

  it('is absent when the process says nothing (every member may start)', async () => {
    const { definition } = await importBpmn(await exportBpmn(base));
    expect(definition.startableBy).toBeUndefined();
  });
});
