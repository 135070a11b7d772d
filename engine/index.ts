/**
 * Trellis engine: pure process definitions, validation, compilation and stepping.
 * Never imports db/, app/, node I/O modules or a clock.
 */
export {
  DEFINITION_FORMAT_VERSION,
  localize,
  processDefinitionSchema,
  keySchema,
  localizedTextSchema,
  startingRoles,
} from './model/definition';
export type {
  Element,
  ElementType,
  LocalizedText,
  ProcessDefinition,
  ProcessDefinitionInput,
  SequenceFlow,
  StartableBy,
  UserTask,
} from './model/definition';
export { validateDefinition, rules } from './validate/validate';
export type { ValidationResult } from './validate/validate';
export type { Diagnostic } from './validate/diagnostic';
export { compile, isWaitState } from './compile/compile';
export type { CompiledProcess } from './compile/compile';
export { start, send } from './runtime/step';
export { restore } from './runtime/machine-step';
export { refuseEffect } from './runtime/refuse-effect';
export { startTimers, nextStartTimer } from './runtime/start-timers';
export type { StartTimer, StartTimerProblem } from './runtime/start-timers';
export {
  DEFAULT_TIMER_LIMITS,
  MAX_TIMER_REPETITIONS,
  MIN_REPEATING_TIMER_CYCLE_SECONDS,
  MIN_START_TIMER_CYCLE_SECONDS,
  MIN_TIMER_CYCLE_SECONDS,
} from './compile/timer-limits';
export type { TimerLimits } from './compile/timer-limits';
export { exclusionReasons, waitingExcludersOf } from './runtime/actors';
export { EngineError } from './runtime/errors';
export { DEFAULT_LIMITS } from './runtime/budget';
export type { EngineLimits } from './runtime/budget';
export type { EngineErrorCode } from './runtime/errors';
export { STATE_FORMAT_VERSION } from './runtime/types';
export type {
  Effect,
  EngineEvent,
  Incident,
  InstanceActors,
  InstanceState,
  StepOptions,
  StepResult,
  Variables,
} from './runtime/types';
export { checkExpression, evaluateExpression } from './expressions/feel';
export { formDefinitionSchema, localizeFormSchema, localizeFormTitle, fieldTitles } from './forms/form';
export type { FormDefinition, JsonSchema, LocalizableForm } from './forms/form';
export { decisionSchema, hitPolicies } from './decisions/model';
export type { Decision, DecisionInput, HitPolicy } from './decisions/model';
export { evaluateDecision } from './decisions/evaluate';
export type { DecisionResult } from './decisions/evaluate';
export { exportDmn, importDmn } from './decisions/dmn';
export { checkDecision, type DecisionCheck, type DecisionProblem } from './decisions/check';
export type { CompileOptions } from './compile/compile';
export { importBpmn, BpmnImportError } from './bpmn/import';
export type { BpmnImport, ImportOptions, ImportReport } from './bpmn/import';
export type { AccountedFeature, Outcome as ImportOutcome } from './bpmn/accounting';
export { exportBpmn } from './bpmn/export';
export { UnsafeXmlError } from './bpmn/safe-xml';
export { canonicalDefinition, canonicalJson } from './model/canonical';
export { caseSummary, foldForSearch, searchDocument, searchQuery, searchWords } from './model/search';
export { diffDefinitions } from './model/diff';
export {
  checkVariables,
  formKeysOf,
  formVariables,
  namesRead,
  type FormSchemas,
  type GivenVariables,
  type VariableType,
} from './validate/variables';
export type { DefinitionDiff, PropertyChange } from './model/diff';
export { toKey } from './model/keys';
export { importFormFile, importFormFiles, FormImportError } from './forms/import';
export type { ImportedForm } from './forms/import';
export { parseCamundaTestCases, runCamundaTestCaseFile } from './simulate/camunda-test-case';
export { simulate, replay } from './simulate/simulate';
export type { Replay, SimulationResult } from './simulate/simulate';
export { scenarioSchema } from './simulate/scenario';
export type { Scenario, ScenarioStep } from './simulate/scenario';
