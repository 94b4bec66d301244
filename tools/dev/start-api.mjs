#!/usr/bin/env node
// `npm run start:api`: the API alone, from its production build (built first when missing
// or stale). It runs in THIS process — no child, no daemon — so SIGTERM from a process
// manager, a load test or a container runtime reaches the API's graceful shutdown directly.
import { pathToFileURL } from 'node:url';
import { API_MAIN, ensureApiBuild, loadDotEnv } from './build-if-stale.mjs';

loadDotEnv();
ensureApiBuild();
await import(pathToFileURL(API_MAIN).href);
