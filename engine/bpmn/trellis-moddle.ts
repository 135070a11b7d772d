/**
 * The `trellis:` BPMN extension namespace, as a moddle descriptor: what BPMN leaves open and
 * Trellis needs to run a process (forms, assignment, due dates, priorities, connectors, data
 * mappings, decision results, multi-instance collections in FEEL). Export writes it; import
 * reads it back; the designer's properties panel will edit it.
 */
export const TRELLIS_NS = 'https://trellis.dev/schema/bpmn/1.0';

const attr = (name: string, type = 'String') => ({ name, isAttr: true, type });

export const trellisModdle = {
  name: 'Trellis',
  uri: TRELLIS_NS,
  prefix: 'trellis',
  xml: { tagAlias: 'lowerCase' },
  types: [
    {
      name: 'ProcessProps',
      isAbstract: true,
      extends: ['bpmn:Process'],
      properties: [
        attr('key'),
        attr('version', 'Integer'),
        attr('category'),
        attr('startForm'),
        attr('startableBy'),
        attr('startableByRoles'),
        attr('businessKey'),
        attr('summary'),
      ],
    },
    {
      name: 'UserTaskProps',
      isAbstract: true,
      extends: ['bpmn:UserTask'],
      properties: [
        attr('formKey'),
        attr('candidateGroups'),
        attr('candidateRole'),
        attr('candidateUsers'),
        attr('assignee'),
        attr('dueDate'),
        attr('priority'),
        // The four-eyes rule: `notInitiator="true"`, `notCompletedBy="taskA, taskB"` (user task ids).
        attr('notInitiator', 'Boolean'),
        attr('notCompletedBy'),
        // `none`: an empty map (empty outputs: nothing the task produces reaches the process).
        attr('inputs'),
        attr('outputs'),
      ],
    },
    {
      name: 'ServiceTaskProps',
      isAbstract: true,
      extends: ['bpmn:ServiceTask'],
      properties: [attr('taskType'), attr('retries', 'Integer')],
    },
    {
      name: 'BusinessRuleTaskProps',
      isAbstract: true,
      extends: ['bpmn:BusinessRuleTask'],
      properties: [
        attr('decisionRef'),
        attr('resultVariable'),
        attr('mapDecisionResult'),
        attr('inputs'),
        attr('outputs'),
      ],
    },
    /** `none` on inputs/outputs: pass no variables (absent: all are passed). */
    {
      name: 'CallActivityProps',
      isAbstract: true,
      extends: ['bpmn:CallActivity'],
      properties: [attr('inputs'), attr('outputs')],
    },
    { name: 'EndEventProps', isAbstract: true, extends: ['bpmn:EndEvent'], properties: [attr('outcome')] },
    {
      name: 'CorrelationProps',
      isAbstract: true,
      extends: ['bpmn:MessageEventDefinition', 'bpmn:ReceiveTask'],
      properties: [attr('correlationKey')],
    },
    /** Who may send the message or broadcast the signal (departments; roles), on what waits for it: `sendableBy="accounting"`, `sendableByRoles="designer"`. */
    {
      name: 'SendableByProps',
      isAbstract: true,
      extends: ['bpmn:MessageEventDefinition', 'bpmn:SignalEventDefinition', 'bpmn:ReceiveTask'],
      properties: [attr('sendableBy'), attr('sendableByRoles')],
    },
    {
      name: 'LoopProps',
      isAbstract: true,
      extends: ['bpmn:MultiInstanceLoopCharacteristics'],
      properties: [attr('collection'), attr('elementVariable'), attr('outputCollection'), attr('outputElement')],
    },
    /**
     * In extensionElements: `kind` is input (to a job or child; a user or business rule task's own
     * variables), output (from a child; what a user or business rule task writes to the process),
     * set (after the step) or payload (of a message).
     */
    { name: 'Mapping', superClass: ['Element'], properties: [attr('kind'), attr('target'), attr('source')] },
    /** A connector setting of a service task. */
    { name: 'Setting', superClass: ['Element'], properties: [attr('name'), attr('value')] },
    /** The element's name in another language (the `name` attribute holds English). */
    {
      name: 'Translation',
      superClass: ['Element'],
      properties: [attr('lang'), attr('of'), { name: 'text', isBody: true, type: 'String' }],
    },
    /** Something an import could not translate; the definition stays a draft until it is replaced. */
    { name: 'ImportIssue', superClass: ['Element'], properties: [attr('elementId'), attr('what'), attr('hint')] },
  ],
  enumerations: [],
  associations: [],
};
