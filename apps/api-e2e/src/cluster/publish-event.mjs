// A plain Node script, no Nest and no HTTP: publishes one typed event to one user of a
// Herald cluster through RealtimeEmitter, knowing only the cluster's Redis URL and prefix.
//
//   EMITTER_MODULE=<bundled realtime-emitter.mjs> REDIS_URL=redis://… REDIS_KEY_PREFIX=herald \
//   USER_ID=user-42 EVENT=xp:gained PAYLOAD='{"amount":1,"source":"cli","totalXp":1}' node publish-event.mjs
import { pathToFileURL } from 'node:url';

const { EMITTER_MODULE, REDIS_URL, REDIS_KEY_PREFIX, USER_ID, EVENT, PAYLOAD } = process.env;
const { RealtimeEmitter } = await import(pathToFileURL(EMITTER_MODULE).href);

const emitter = await RealtimeEmitter.connect({ url: REDIS_URL, keyPrefix: REDIS_KEY_PREFIX });
try {
  await emitter.emitToUser(USER_ID, EVENT, JSON.parse(PAYLOAD));
  console.log(`published ${EVENT} to ${USER_ID}`);
} catch (error) {
  console.error(`${error.name}: ${error.message}`);
  process.exitCode = 1;
} finally {
  await emitter.close();
}
