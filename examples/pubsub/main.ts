// `npm run example:pubsub`: the server; `npm run example:pubsub -- sub|pub …`: the command-line client.
const [command, ...args] = process.argv.slice(2);
if (command === undefined) {
  const [{ runDemo }, { startPubsubDemo }] = await Promise.all([import('@ghost-examples/shared/server'), import('./server.js')]);
  await runDemo('Ghost pubsub', 'npm run example:pubsub', startPubsubDemo);
} else {
  const { runCli } = await import('./cli.js');
  process.exitCode = await runCli(command, args);
}
