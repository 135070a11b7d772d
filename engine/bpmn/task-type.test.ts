/**
 * Task types may be dotted (`erp.create-payment`), as job workers elsewhere name their topics and
 * as issue 21's external workers are asked for: the definition schema takes them, refuses what is
 * no name, and a Camunda model's dotted job type or external-task topic is imported as it is.
 */
import { describe, expect, it } from 'vitest';
import { serviceTaskSchema } from '../model/definition';
import { importBpmn } from './import';

const task = (taskType: string) => serviceTaskSchema.safeParse({ id: 'pay', type: 'serviceTask', taskType });

describe('dotted task types', () => {
  it('a dotted name is a task type; an empty part, a leading dot, upper case or past 64 characters is not', () => {
    for (const ok of ['erp.create-payment', 'bank.vcb.transfer-2', 'http', 'erp.2fa'])
      expect(task(ok).success, ok).toBe(true);
    for (const bad of ['erp..pay', '.erp', 'erp.', 'Erp.pay', 'erp.-x', `a${'.b'.repeat(40)}`, 'erp pay'])
      expect(task(bad).success, bad).toBe(false);
  });

  it('a zeebe job type and a Camunda 7 external-task topic keep their dots', async () => {
    const xml = `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="d" targetNamespace="x">
  <bpmn:process id="pay" isExecutable="true">
    <bpmn:startEvent id="s" />
    <bpmn:serviceTask id="z"><bpmn:extensionElements><zeebe:taskDefinition type="erp.createPayment" /></bpmn:extensionElements></bpmn:serviceTask>
    <bpmn:serviceTask id="c" camunda:type="external" camunda:topic="bank.vcb.transfer" />
    <bpmn:endEvent id="e" />
    <bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="z" />
    <bpmn:sequenceFlow id="f2" sourceRef="z" targetRef="c" />
    <bpmn:sequenceFlow id="f3" sourceRef="c" targetRef="e" />
  </bpmn:process>
</bpmn:definitions>`;
    const { definition } = await importBpmn(xml);
    const byId = Object.fromEntries((definition.elements as { id: string }[]).map((e) => [e.id, e]));
    expect(byId.z).toMatchObject({ taskType: 'erp.create-payment' });
    expect(byId.c).toMatchObject({ taskType: 'bank.vcb.transfer' });
  });
});
