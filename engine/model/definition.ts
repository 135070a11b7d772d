/**
 * The canonical JSON process definition (format version 1).
 *
 * This is the meeting point of everything that produces or runs a process: the JSON files in
 * definitions/, the BPMN importer, the designer and the compiler. It is plain data, versioned
 * by `formatVersion`, and validated structurally here (zod) and semantically by validate/.
 * Element types use BPMN's names so a definition maps 1:1 onto BPMN 2.0.
 */
import { z } from 'zod';

export const DEFINITION_FORMAT_VERSION = 1;

/** Element and flow ids become XState state keys and audit references: NCName without dots. */
const elementId = z
  .string()
  .regex(
    /^[A-Za-z_][A-Za-z0-9_-]{0,99}$/,
    'must start with a letter or "_" and contain only letters, digits, "_" or "-" (at most 100)',
  );

/** A key shared by definitions, forms and groups within a company, e.g. "invoice-approval". */
export const keySchema = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{0,63}$/, 'must be lower-case letters, digits and "-" (at most 64)');

/** Either one text, or a text per locale (`{ "en": "Invoice", "vi": "Hóa đơn" }`). */
export const localizedTextSchema = z.union([
  z.string().min(1).max(500),
  z
    .record(z.string().regex(/^[a-z]{2}$/), z.string().min(1).max(500))
    .refine((v) => Object.keys(v).length > 0, 'needs at least one locale'),
]);
export type LocalizedText = z.infer<typeof localizedTextSchema>;

const expression = z.string().min(1).max(2_000);

const base = {
  id: elementId,
  name: localizedTextSchema.optional(),
  documentation: z.string().max(10_000).optional(),
};

/**
 * When a timer fires: exactly one of a duration after it starts (`P2D`), a date (`2026-12-31`,
 * `2026-12-31T17:00:00+07:00`) or a repeating cycle (`R3/PT10H`, `R/P2D`). A value starting with
 * `=` is a FEEL expression giving that text, e.g. `=reminderInterval`.
 */
export const timerEventSchema = z
  .strictObject({
    kind: z.literal('timer'),
    duration: z.string().min(1).max(2_000).optional(),
    date: z.string().min(1).max(2_000).optional(),
    cycle: z.string().min(1).max(2_000).optional(),
  })
  // None at all is structurally allowed (an imported diagram may leave it open); validation reports it.
  .refine(
    (t) => [t.duration, t.date, t.cycle].filter((v) => v !== undefined).length <= 1,
    'a timer needs exactly one of duration, date or cycle',
  );

const messageName = z.string().min(1).max(200);
/** A message to wait for; `correlationKey` (FEEL) picks this instance's message among all with the name. */
export const messageEventSchema = z.strictObject({
  kind: z.literal('message'),
  name: messageName,
  correlationKey: expression.optional(),
});
/** A signal is broadcast by name to every instance waiting for it. */
export const signalEventSchema = z.strictObject({ kind: z.literal('signal'), name: messageName });

/**
 * Roles a startableBy or sendableBy may name. Auditors are read-only and never start or send;
 * admins always may (naming them changes nothing, but is allowed for clarity).
 */
export const startingRoles = ['admin', 'designer', 'staff'] as const;

/**
 * Who may send the message an element waits for, or broadcast the signal, besides admins (who
 * always may) and processes (whose throw events always do): members of these departments (group
 * keys) and members with these company roles. Absent: nobody else — a person's message or signal
 * never reaches the element, and a signal that no process declares it for is not public. On a
 * process's start event it narrows who may start the process that way (startableBy applies too).
 */
export const sendableBySchema = z
  .strictObject({
    groups: z.array(keySchema).max(50).optional(),
    roles: z.array(z.enum(startingRoles)).max(startingRoles.length).optional(),
  })
  .refine((s) => (s.groups?.length ?? 0) + (s.roles?.length ?? 0) > 0, {
    message:
      'names no department and no role; list some in "groups" or "roles", or leave sendableBy out so that only admins and processes may send it',
  });
export type SendableBy = z.infer<typeof sendableBySchema>;

/** A message an element waits for (catch, receive task, boundary, start event), and who may send it. */
export const messageCatchSchema = messageEventSchema.extend({ sendableBy: sendableBySchema.optional() });
/** A signal an element waits for (catch, boundary, start event), and who may broadcast it: declaring it makes it public. */
export const signalCatchSchema = signalEventSchema.extend({ sendableBy: sendableBySchema.optional() });
/** A business error; without `code` a boundary catches every error. */
export const errorEventSchema = z.strictObject({
  kind: z.literal('error'),
  code: z.string().min(1).max(200).optional(),
});
export const escalationEventSchema = z.strictObject({
  kind: z.literal('escalation'),
  code: z.string().min(1).max(200).optional(),
});

/**
 * Happens when a FEEL condition over the variables becomes true. Modelled so imported diagrams keep
 * it; Trellis does not run conditional events yet, and validation says so.
 */
export const conditionalEventSchema = z.strictObject({
  kind: z.literal('conditional'),
  condition: z.string().min(1).max(2_000),
});

/**
 * A cancel boundary event catches the cancellation of a transaction subprocess. Modelled so imported
 * diagrams keep it; Trellis does not run transactions, and validation says so.
 */
export const cancelEventSchema = z.strictObject({ kind: z.literal('cancel') });

/** A link joins a throw event to the catch event of the same name in the same scope: a "go to" that keeps diagrams tidy. */
export const linkEventSchema = z.strictObject({ kind: z.literal('link'), name: messageName });

export type TimerEvent = z.infer<typeof timerEventSchema>;

/**
 * Runs an activity once per item of `collection` (FEEL list) or `cardinality` (FEEL number) times,
 * all at once or one after another. Each run sees the item as `elementVariable` and `loopCounter`
 * (1-based); `completionCondition` may end it early (it sees nrOfInstances,
 * nrOfCompletedInstances, nrOfActiveInstances), e.g. "any 2 of 3 approvers":
 * `count(approvals[item = "approve"]) >= 2`. Each run's `outputElement` (FEEL, default: the
 * submitted data) is collected in order into `outputCollection`.
 */
export const multiInstanceSchema = z
  .strictObject({
    sequential: z.boolean().default(false),
    collection: z.string().min(1).max(2_000).optional(),
    cardinality: z.string().min(1).max(2_000).optional(),
    elementVariable: z
      .string()
      .regex(/^[A-Za-z_][A-Za-z0-9_]{0,63}$/)
      .default('item'),
    completionCondition: z.string().min(1).max(2_000).optional(),
    outputCollection: z
      .string()
      .regex(/^[A-Za-z_][A-Za-z0-9_]{0,63}$/)
      .optional(),
    outputElement: z.string().min(1).max(2_000).optional(),
  })
  // Neither is structurally allowed (an imported diagram may leave it open); validation reports it.
  .refine(
    (m) => m.collection === undefined || m.cardinality === undefined,
    'multi-instance needs exactly one of collection or cardinality',
  );
export type MultiInstance = z.infer<typeof multiInstanceSchema>;
export type MessageEvent = z.infer<typeof messageEventSchema>;

/**
 * A none start event starts its process or subprocess. In an event subprocess the start event
 * names what triggers it (timer, message, signal, error, escalation) and whether it interrupts.
 */
export const startEventSchema = z.strictObject({
  ...base,
  type: z.literal('startEvent'),
  event: z
    .discriminatedUnion('kind', [
      timerEventSchema,
      messageCatchSchema,
      signalCatchSchema,
      errorEventSchema,
      escalationEventSchema,
      conditionalEventSchema,
    ])
    .optional(),
  interrupting: z.boolean().default(true),
});

/** Waits for a timer, message or signal. */
export const intermediateCatchEventSchema = z.strictObject({
  ...base,
  type: z.literal('intermediateCatchEvent'),
  event: z.discriminatedUnion('kind', [
    timerEventSchema,
    messageCatchSchema,
    signalCatchSchema,
    linkEventSchema,
    conditionalEventSchema,
  ]),
});

/** Sends a message or broadcasts a signal (as an effect for the host), then moves on. */
export const intermediateThrowEventSchema = z.strictObject({
  ...base,
  type: z.literal('intermediateThrowEvent'),
  event: z.discriminatedUnion('kind', [messageEventSchema, signalEventSchema, linkEventSchema]).optional(),
});

/** Waits for whichever of the catch events (or receive tasks) after it happens first; the others are cancelled. */
export const eventBasedGatewaySchema = z.strictObject({ ...base, type: z.literal('eventBasedGateway') });

/**
 * An event attached to an activity: while the activity runs, the event either interrupts it
 * (`cancelActivity`, the default) or starts an extra path beside it (non-interrupting; that path
 * must run straight through to an end event, e.g. "send a reminder every 2 days").
 */
export const boundaryEventSchema = z.strictObject({
  ...base,
  type: z.literal('boundaryEvent'),
  attachedTo: elementId,
  cancelActivity: z.boolean().default(true),
  /** Absent only in an imported draft that left it open; validation requires it. */
  event: z
    .discriminatedUnion('kind', [
      timerEventSchema,
      messageCatchSchema,
      signalCatchSchema,
      errorEventSchema,
      escalationEventSchema,
      conditionalEventSchema,
      cancelEventSchema,
    ])
    .optional(),
});

export const endEventSchema = z.strictObject({
  ...base,
  type: z.literal('endEvent'),
  /** A short machine-readable result recorded on the instance, e.g. "approved". */
  outcome: z
    .string()
    .regex(/^[a-z][a-z0-9-]{0,39}$/)
    .optional(),
  /** A terminate end event ends the whole instance at once, cancelling every other path. */
  terminate: z.boolean().optional(),
  /**
   * An error end event throws to the nearest enclosing error catcher; an escalation end event
   * escalates; a message or signal end event sends it (an effect for the host) as its token ends.
   */
  event: z
    .discriminatedUnion('kind', [errorEventSchema, escalationEventSchema, messageEventSchema, signalEventSchema])
    .optional(),
});

/** Variable name → FEEL expression, evaluated in order (each sees the ones before it). */
const assignments = z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,63}$/), expression);

/**
 * Input and output mappings of a user task or business rule task (Camunda 8's io mapping).
 * `inputs` are evaluated when the task is entered, in order, and are the task's own: its form
 * and its decision see them, the process variables never do. With `outputs`, what the task
 * produces (a user task's submission, a business rule task's result variable) stays the task's
 * own too, and only the outputs — FEEL over the process variables, the inputs and that result —
 * are written to the process. Without `outputs`, the submission is merged into the process
 * variables and the decision result is stored in `resultVariable`, as without mappings.
 * A user task that waits sees its inputs evaluated again when it completes (the engine keeps no
 * task-local state between steps), so an output reading an input gets it as of completion.
 */
const taskMappings = {
  inputs: assignments.optional(),
  outputs: assignments.optional(),
};

export const userTaskSchema = z.strictObject({
  ...base,
  type: z.literal('userTask'),
  /** The form the task shows. Required to publish; an imported draft may not have one yet. */
  formKey: keySchema.optional(),
  /**
   * Departments (group keys) whose members may work the task, or a FEEL expression prefixed with
   * `=` that gives that list at run time (e.g. `=approverGroups`, set by a decision table).
   */
  candidateGroups: z
    .union([
      z.array(keySchema).min(1).max(10),
      z.string().regex(/^=/, 'a list of group keys, or a FEEL expression starting with "="').max(2_000),
    ])
    .optional(),
  /** One person the task is assigned to (a user name or e-mail), or `=FEEL` giving it. */
  assignee: z.string().min(1).max(2_000).optional(),
  /** People (user names or e-mails) who may claim the task, or `=FEEL` giving that list. */
  candidateUsers: z
    .union([
      z.array(z.string().min(1).max(200)).min(1).max(50),
      z.string().regex(/^=/, 'a list of users, or a FEEL expression starting with "="').max(2_000),
    ])
    .optional(),
  /** 0 (lowest) to 100, or `=FEEL` giving it; the inbox sorts by it. */
  priority: z.union([z.number().int().min(0).max(100), z.string().regex(/^=/).max(2_000)]).optional(),
  /** "manager": only the managers of those departments may work it. */
  candidateRole: z.enum(['member', 'manager']).default('member'),
  /** FEEL expression giving the due date (a date or an ISO 8601 date string). */
  dueDate: expression.optional(),
  /** See taskMappings; a multi-instance task maps each run (its item and loopCounter in scope). */
  ...taskMappings,
  multiInstance: multiInstanceSchema.optional(),
  /**
   * Four-eyes rule (maker-checker): who may NOT work this task, even when a candidate. The
   * process's initiator, and/or whoever completed (or completed on behalf of someone for) the
   * named user tasks earlier in the same instance — e.g. an invoice's submitter cannot approve it.
   */
  separationOfDuties: z
    .strictObject({
      notInitiator: z.boolean().optional(),
      /** Ids of user tasks of this process; their completers are excluded. */
      notCompletedBy: z.array(elementId).min(1).max(20).optional(),
    })
    .optional(),
});

export const exclusiveGatewaySchema = z.strictObject({
  ...base,
  type: z.literal('exclusiveGateway'),
  /** Id of the outgoing flow taken when no condition is true. */
  default: elementId.optional(),
});

/** Splits into all outgoing flows, or joins by waiting for a token on every incoming flow. */
export const parallelGatewaySchema = z.strictObject({ ...base, type: z.literal('parallelGateway') });

/** Splits into every outgoing flow whose condition is true (else the default); joins what was split. */
export const inclusiveGatewaySchema = z.strictObject({
  ...base,
  type: z.literal('inclusiveGateway'),
  default: elementId.optional(),
});

/**
 * An automated step. With `taskType`, the host runs a job of that type (a connector, a worker)
 * and the instance waits for its result or business error; `set` then maps variables after it.
 * Without `taskType`, it only sets variables and moves on.
 */
export const serviceTaskSchema = z.strictObject({
  ...base,
  type: z.literal('serviceTask'),
  // Dotted names too (`erp.create-payment`), as job workers elsewhere name their topics.
  taskType: z
    .string()
    .max(64)
    .regex(
      /^[a-z][a-z0-9-]*(?:\.[a-z0-9][a-z0-9-]*)*$/,
      'must be lower-case letters, digits, "-" and "." between names (at most 64)',
    )
    .optional(),
  /** The connector's settings for this task (URL, method, recipient…): text, or `=FEEL`. */
  settings: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_.-]{0,63}$/), z.string().max(10_000)).optional(),
  /** What the job is given: name → FEEL expression (absent = all variables). */
  inputs: assignments.optional(),
  /** How often a failing job is tried before it becomes an incident (default 3). */
  retries: z.number().int().min(0).max(100).optional(),
  /** Variables to set: name → FEEL expression, evaluated in order against the variables so far. */
  set: assignments.default({}),
  multiInstance: multiInstanceSchema.optional(),
});

/** Sets variables from FEEL expressions (never JavaScript), then moves on. */
export const scriptTaskSchema = z.strictObject({
  ...base,
  type: z.literal('scriptTask'),
  set: assignments,
  multiInstance: multiInstanceSchema.optional(),
});

/**
 * Evaluates a decision table and stores its result in `resultVariable`, shaped by
 * `mapDecisionResult` (Camunda's names): `singleEntry` (one value), `singleResult` (one rule's
 * outputs), `collectEntries` (the single output of every matched rule), `resultList` (all of it).
 */
export const businessRuleTaskSchema = z.strictObject({
  ...base,
  type: z.literal('businessRuleTask'),
  decisionRef: z.string().min(1).max(200),
  resultVariable: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,63}$/),
  mapDecisionResult: z.enum(['singleEntry', 'singleResult', 'collectEntries', 'resultList']).default('resultList'),
  /** See taskMappings: the decision sees the inputs; with outputs, only they reach the process. */
  ...taskMappings,
  multiInstance: multiInstanceSchema.optional(),
});

/**
 * Starts another process (by key) as a child instance and waits for it. `inputs` map child
 * variables from this one's (FEEL; absent = all variables are passed); `outputs` map this one's
 * variables from the child's when it completes (FEEL over the child's variables; absent = all).
 * An error end event in the child is caught by error boundary events on the call activity.
 */
export const callActivitySchema = z.strictObject({
  ...base,
  type: z.literal('callActivity'),
  calledElement: keySchema,
  inputs: assignments.optional(),
  outputs: assignments.optional(),
  multiInstance: multiInstanceSchema.optional(),
});

/** Work done outside any system; the engine passes through it (as Camunda does). */
export const manualTaskSchema = z.strictObject({ ...base, type: z.literal('manualTask') });

/** A task of no particular kind (BPMN's plain `task`): documents a step; the engine passes through it. */
export const taskSchema = z.strictObject({ ...base, type: z.literal('task') });

/** Sends a message (an effect for the host), then moves on. */
export const sendTaskSchema = z.strictObject({
  ...base,
  type: z.literal('sendTask'),
  message: z.strictObject({ name: messageName, payload: assignments.optional() }),
  multiInstance: multiInstanceSchema.optional(),
});

/** Waits for a message (`message.sendableBy`: who may send it). */
export const receiveTaskSchema = z.strictObject({
  ...base,
  type: z.literal('receiveTask'),
  message: messageCatchSchema.omit({ kind: true }),
  multiInstance: multiInstanceSchema.optional(),
});

/** Shape of an embedded subprocess: its own elements and flows, with BPMN's unique ids. */
export interface SubProcessShape {
  id: string;
  type: 'subProcess';
  name?: LocalizedText;
  documentation?: string;
  /** An event subprocess: started by its start event's trigger while the enclosing scope runs. */
  triggeredByEvent?: boolean;
  multiInstance?: MultiInstance;
  elements: Element[];
  flows: SequenceFlow[];
  artifacts?: Artifact[];
}

export const subProcessSchema = z.strictObject({
  ...base,
  type: z.literal('subProcess'),
  triggeredByEvent: z.boolean().optional(),
  multiInstance: multiInstanceSchema.optional(),
  // Empty is structurally allowed (a collapsed subprocess drawn as a placeholder); validation requires a start.
  get elements(): z.ZodArray<z.ZodType<Element>> {
    return z.array(elementSchema).max(2_000);
  },
  get flows(): z.ZodArray<z.ZodType<SequenceFlow>> {
    return z.array(sequenceFlowSchema).max(5_000);
  },
  get artifacts() {
    return z.array(artifactSchema).max(5_000).optional();
  },
});

const nonScopeElementSchema = z.discriminatedUnion('type', [
  startEventSchema,
  endEventSchema,
  userTaskSchema,
  exclusiveGatewaySchema,
  parallelGatewaySchema,
  inclusiveGatewaySchema,
  eventBasedGatewaySchema,
  serviceTaskSchema,
  scriptTaskSchema,
  businessRuleTaskSchema,
  callActivitySchema,
  manualTaskSchema,
  taskSchema,
  sendTaskSchema,
  receiveTaskSchema,
  intermediateCatchEventSchema,
  intermediateThrowEventSchema,
  boundaryEventSchema,
]);

export const elementSchema: z.ZodType<Element> = z.discriminatedUnion('type', [
  ...nonScopeElementSchema.options,
  subProcessSchema,
]) as unknown as z.ZodType<Element>;

export const sequenceFlowSchema = z.strictObject({
  id: elementId,
  name: localizedTextSchema.optional(),
  documentation: z.string().max(10_000).optional(),
  source: elementId,
  target: elementId,
  /** FEEL boolean expression; only on flows leaving an exclusive or inclusive gateway. */
  condition: expression.optional(),
});

/**
 * What a diagram shows beside the flow: notes, data and groups. They do not run; they are kept so
 * an imported diagram (and the designer) shows the same picture. Data associations link a data
 * object or store reference to the activity that reads (`input`) or writes (`output`) it.
 */
export const artifactSchema = z.discriminatedUnion('type', [
  z.strictObject({ id: elementId, type: z.literal('textAnnotation'), text: z.string().max(10_000).optional() }),
  z.strictObject({
    id: elementId,
    type: z.literal('association'),
    source: elementId,
    target: elementId,
    direction: z.enum(['None', 'One', 'Both']).optional(),
  }),
  z.strictObject({ id: elementId, type: z.literal('group'), name: localizedTextSchema.optional() }),
  z.strictObject({
    id: elementId,
    type: z.literal('dataObject'),
    name: localizedTextSchema.optional(),
    isCollection: z.boolean().optional(),
  }),
  z.strictObject({
    id: elementId,
    type: z.literal('dataObjectReference'),
    name: localizedTextSchema.optional(),
    dataObject: elementId.optional(),
  }),
  z.strictObject({
    id: elementId,
    type: z.literal('dataStoreReference'),
    name: localizedTextSchema.optional(),
    dataStore: z.string().max(200).optional(),
  }),
  z.strictObject({
    id: elementId,
    type: z.literal('dataAssociation'),
    direction: z.enum(['input', 'output']),
    activity: elementId,
    data: elementId,
  }),
  /** What the process takes in or gives back (its ioSpecification), as drawn; documentation, not run. */
  z.strictObject({
    id: elementId,
    type: z.enum(['dataInput', 'dataOutput']),
    name: localizedTextSchema.optional(),
    isCollection: z.boolean().optional(),
  }),
]);
export type Artifact = z.infer<typeof artifactSchema>;

/** A lane of the process's pool: who works the elements in it (a hint for candidate groups). */
export interface Lane {
  id: string;
  name?: LocalizedText;
  elements: string[];
  lanes?: Lane[];
}
export const laneSchema: z.ZodType<Lane> = z.strictObject({
  id: elementId,
  name: localizedTextSchema.optional(),
  elements: z.array(elementId).max(2_000),
  get lanes(): z.ZodOptional<z.ZodArray<z.ZodType<Lane>>> {
    return z.array(laneSchema).max(100).optional();
  },
});

/** A process drawn beside the main one (another pool of a collaboration); kept, never run. */
export const poolProcessSchema = z.strictObject({
  id: elementId,
  name: localizedTextSchema.optional(),
  documentation: z.string().max(10_000).optional(),
  elements: z.array(z.lazy(() => elementSchema)).max(2_000),
  flows: z.array(sequenceFlowSchema).max(5_000),
  artifacts: z.array(artifactSchema).max(5_000).optional(),
  lanes: z.array(laneSchema).max(100).optional(),
});
export type PoolProcess = z.infer<typeof poolProcessSchema>;

/** The pools of a collaboration and the message flows between them. */
export const collaborationSchema = z.strictObject({
  id: elementId,
  name: localizedTextSchema.optional(),
  /** `process`: the id of the main process or of one of `pools`; absent for a black-box pool. */
  participants: z
    .array(z.strictObject({ id: elementId, name: localizedTextSchema.optional(), process: elementId.optional() }))
    .max(100),
  messageFlows: z
    .array(
      z.strictObject({ id: elementId, name: localizedTextSchema.optional(), source: elementId, target: elementId }),
    )
    .max(5_000),
  artifacts: z.array(artifactSchema).max(5_000).optional(),
});

const bounds = z.strictObject({ x: z.number(), y: z.number(), width: z.number(), height: z.number() });
/**
 * The picture (BPMN DI): one entry per diagram plane, the first for the process or collaboration,
 * others for collapsed subprocesses drawn on their own plane. Keyed by element id.
 */
export const diagramSchema = z.strictObject({
  plane: elementId,
  shapes: z.record(
    elementId,
    z.strictObject({
      ...bounds.shape,
      isExpanded: z.boolean().optional(),
      isHorizontal: z.boolean().optional(),
      isMarkerVisible: z.boolean().optional(),
      label: bounds.optional(),
    }),
  ),
  edges: z.record(
    elementId,
    z.strictObject({ waypoints: z.array(z.tuple([z.number(), z.number()])).max(1_000), label: bounds.optional() }),
  ),
});
export type Diagram = z.infer<typeof diagramSchema>;

/**
 * Something an imported file asked for that Trellis will not run (a Java class, a script in
 * JavaScript, a listener, an expression it could not translate). The definition can be
 * simulated with it stubbed, but not published until the designer replaces it and removes
 * the entry.
 */
export const importIssueSchema = z.strictObject({
  elementId: z.string().min(1).max(200),
  what: z.string().min(1).max(2_000),
  hint: z.string().max(2_000),
});
export type ImportIssue = z.infer<typeof importIssueSchema>;

/**
 * Who may start the process besides admins (who always may): members of these departments
 * (group keys), and members with these company roles. Absent = every member but auditors.
 */
const startableBySchema = z
  .strictObject({
    groups: z.array(keySchema).max(50).optional(),
    roles: z.array(z.enum(startingRoles)).max(startingRoles.length).optional(),
  })
  .refine((s) => (s.groups?.length ?? 0) + (s.roles?.length ?? 0) > 0, {
    message:
      'names no department and no role; list some in "groups" or "roles", or leave startableBy out so that every member may start the process',
  });
export type StartableBy = z.infer<typeof startableBySchema>;

export const processDefinitionSchema = z.strictObject({
  $schema: z.string().optional(),
  formatVersion: z.literal(DEFINITION_FORMAT_VERSION),
  key: keySchema,
  version: z.number().int().min(1),
  name: localizedTextSchema,
  description: localizedTextSchema.optional(),
  /** Department the process belongs to in the template library, e.g. "accounting". */
  category: keySchema.optional(),
  /** Form shown when starting the process; its data become the initial variables. */
  startForm: keySchema.optional(),
  /** Who may start the process (departments, roles; admins always may); absent = every member but auditors. */
  startableBy: startableBySchema.optional(),
  /** FEEL expression over the start variables naming the instance for people, e.g. `invoiceNumber`. */
  businessKey: expression.optional(),
  /**
   * The variables that sum a case up for people (e.g. vendor, amount): the inbox shows them beside
   * each task, the task page at its top, and search finds tasks and instances by them.
   */
  summary: z
    .array(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,63}$/, 'must be a variable name'))
    .max(8)
    .optional(),
  elements: z.array(elementSchema).min(1).max(2_000),
  flows: z.array(sequenceFlowSchema).max(5_000),
  /** The BPMN id of the process, when it is not the key (kept for a faithful export). */
  processId: elementId.optional(),
  artifacts: z.array(artifactSchema).max(5_000).optional(),
  lanes: z.array(laneSchema).max(100).optional(),
  collaboration: collaborationSchema.optional(),
  pools: z.array(poolProcessSchema).max(50).optional(),
  diagrams: z.array(diagramSchema).max(500).optional(),
  importIssues: z.array(importIssueSchema).max(1_000).optional(),
});

export type ProcessDefinition = z.infer<typeof processDefinitionSchema>;
export type ProcessDefinitionInput = z.input<typeof processDefinitionSchema>;
export type Element = z.infer<typeof nonScopeElementSchema> | SubProcessShape;
export type SubProcess = SubProcessShape;
export type ElementType = Element['type'];
export interface SequenceFlow {
  id: string;
  name?: LocalizedText;
  documentation?: string;
  source: string;
  target: string;
  condition?: string;
}
export type UserTask = z.infer<typeof userTaskSchema>;
export type ExclusiveGateway = z.infer<typeof exclusiveGatewaySchema>;
export type ServiceTask = z.infer<typeof serviceTaskSchema>;
export type InclusiveGateway = z.infer<typeof inclusiveGatewaySchema>;
export type BoundaryEvent = z.infer<typeof boundaryEventSchema>;
export type BusinessRuleTask = z.infer<typeof businessRuleTaskSchema>;
export type EventDefinition = NonNullable<BoundaryEvent['event']>;
export type EndEvent = z.infer<typeof endEventSchema>;

/** The text for `locale`, falling back to English, then to any text there is. */
export function localize(text: LocalizedText | undefined, locale: string): string | undefined {
  if (text === undefined || typeof text === 'string') return text;
  return text[locale] ?? text.en ?? Object.values(text)[0];
}
