import { redirect } from 'next/navigation';
import { serverCaller } from './server/request';

export default async function Home() {
  const { ctx } = await serverCaller();
  redirect(ctx.actor ? '/inbox' : '/sign-in');
}
