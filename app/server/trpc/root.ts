import { createCallerFactory, router } from './init';
import { analyticsRouter } from './routers/analytics';
import { apiKeysRouter } from './routers/api-keys';
import { collabRouter } from './routers/collab';
import { definitionRouter } from './routers/definition';
import { delegationRouter } from './routers/delegation';
import { departmentRouter } from './routers/department';
import { incidentRouter } from './routers/incident';
import { instanceRouter } from './routers/instance';
import { invitationRouter } from './routers/invitation';
import { jobRouter } from './routers/job';
import { memberRouter } from './routers/member';
import { messageRouter } from './routers/message';
import { outboxRouter } from './routers/outbox';
import { decisionRouter } from './routers/decision';
import { formRouter } from './routers/form';
import { processRouter } from './routers/process';
import { runnerRouter } from './routers/runner';
import { sessionRouter } from './routers/session';
import { signalRouter } from './routers/signal';
import { taskRouter } from './routers/task';
import { templateRouter } from './routers/template';
import { webhookRouter } from './routers/webhook';
import { inboundHookRouter } from './routers/inbound-hooks';

export const appRouter = router({
  session: sessionRouter,
  definition: definitionRouter,
  form: formRouter,
  decision: decisionRouter,
  process: processRouter,
  instance: instanceRouter,
  runner: runnerRouter,
  task: taskRouter,
  collab: collabRouter,
  delegation: delegationRouter,
  message: messageRouter,
  signal: signalRouter,
  job: jobRouter,
  incident: incidentRouter,
  outbox: outboxRouter,
  webhook: webhookRouter,
  inboundHook: inboundHookRouter,
  apiKeys: apiKeysRouter,
  member: memberRouter,
  department: departmentRouter,
  invitation: invitationRouter,
  template: templateRouter,
  analytics: analyticsRouter,
});

export type AppRouter = typeof appRouter;
export const createCaller = createCallerFactory(appRouter);
