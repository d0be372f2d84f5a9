import { runCommandLine } from './cli/create-program.ts';

// A command that started a long-running part (recur start, recur sandbox) keeps the process
// alive after this returns; only the exit code of a finished or failed command is set here.
const exitCode = await runCommandLine(process.argv.slice(2), (line) => process.stderr.write(line));
if (exitCode !== 0) process.exitCode = exitCode;
