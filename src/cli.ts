#!/usr/bin/env node
/**
 * The one entry point: `tasklane serve | worker | migrate | user create | …`
 * (commands.ts). It sizes V8's heap first (heap-sizing.ts) and only
 * then loads the server: the whole static import graph is read before any of it
 * runs, so a setting made inside it would come too late for start-up.
 */
import './heap-sizing.ts';

const { run } = await import('./commands.ts');
run(process.argv.slice(2));
