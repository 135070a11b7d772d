import { createCallerFactory, router } from './init';
import { definitionRouter } from './routers/definition';
import { incidentRouter } from './routers/incident';
import { instanceRouter } from './routers/instance';
import { jobRouter } from './routers/job';
import { messageRouter } from './routers/message';
import { outboxRouter } from './routers/outbox';
import { sessionRouter } from './routers/session';
import { signalRouter } from './routers/signal';
import { taskRouter } from './routers/task';
import { webhookRouter } from './routers/webhook';

export const appRouter = router({
  session: sessionRouter,
  definition: definitionRouter,
  instance: instanceRouter,
  task: taskRouter,
  message: messageRouter,
  signal: signalRouter,
  job: jobRouter,
  incident: incidentRouter,
  outbox: outboxRouter,
  webhook: webhookRouter,
});

export type AppRouter = typeof appRouter;
export const createCaller = createCallerFactory(appRouter);
