import { createCallerFactory, router } from './init';
import { definitionRouter } from './routers/definition';
import { instanceRouter } from './routers/instance';
import { jobRouter } from './routers/job';
import { messageRouter } from './routers/message';
import { sessionRouter } from './routers/session';
import { taskRouter } from './routers/task';

export const appRouter = router({
  session: sessionRouter,
  definition: definitionRouter,
  instance: instanceRouter,
  task: taskRouter,
  message: messageRouter,
  job: jobRouter,
});

export type AppRouter = typeof appRouter;
export const createCaller = createCallerFactory(appRouter);
