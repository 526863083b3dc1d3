/** supervisor program / group / `group:process` / `group:*` names (argv-quoted anyway; this keeps options and typos out). */
const PROGRAM = /^[A-Za-z0-9_.@][A-Za-z0-9_.@:*-]*$/;

export function assertProgramName(name: string): string {
  if (!PROGRAM.test(name)) throw new Error(`invalid supervisor program name ${JSON.stringify(name)}`);
  return name;
}
