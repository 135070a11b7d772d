/**
 * Task types may be dotted (`erp.create-payment`), as job workers elsewhere name their topics and
 * as issue 21's external workers are asked for: the definition schema takes them, refuses what is
 * no name, and a Camunda model's dotted job type or external-task topic is imported as it is.
 */
import { describe, expect, it } from 'vitest';
import { serviceTaskSchema, type ProcessDefinitionInput } from '../model/definition';
import { exportBpmn } from './export';
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

  it('a dotted task type goes out as trellis:taskType and comes back the same', async () => {
    const definition: ProcessDefinitionInput = {
      formatVersion: 1,
      key: 'supplier-payment',
      version: 1,
      name: 'Supplier payment',
      elements: [
        { id: 's', type: 'startEvent' },
        { id: 'pay', type: 'serviceTask', taskType: 'erp.create-payment' },
        { id: 'e', type: 'endEvent' },
      ],
      flows: [
        { id: 'f1', source: 's', target: 'pay' },
        { id: 'f2', source: 'pay', target: 'e' },
      ],
    };
    const xml = await exportBpmn(definition);
    expect(xml).toContain('trellis:taskType="erp.create-payment"');
    const { definition: back } = await importBpmn(xml);
    expect((back.elements as { id: string }[]).find((e) => e.id === 'pay')).toMatchObject({
      taskType: 'erp.create-payment',
    });
  });

  it('a Camunda 8 connector id keeps its dots, the rest made a key', async () => {
    const xml = `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="d" targetNamespace="x">
  <bpmn:process id="p" isExecutable="true">
    <bpmn:startEvent id="s" />
    <bpmn:serviceTask id="h"><bpmn:extensionElements><zeebe:taskDefinition type="io.camunda:http-json:1" /></bpmn:extensionElements></bpmn:serviceTask>
    <bpmn:endEvent id="e" />
    <bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="h" />
    <bpmn:sequenceFlow id="f2" sourceRef="h" targetRef="e" />
  </bpmn:process>
</bpmn:definitions>`;
    const { definition } = await importBpmn(xml);
    const task = (definition.elements as { id: string; taskType?: string }[]).find((e) => e.id === 'h');
    expect(task?.taskType).toBe('io.camunda-http-json-1');
    expect(serviceTaskSchema.safeParse({ id: 'h', type: 'serviceTask', taskType: task?.taskType }).success).toBe(true);
  });
});
