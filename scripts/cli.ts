/** Shared CLI wrapper: user errors (bad config, failed checks) print cleanly and exit 1. */
import { SynthError } from "../stacks/synth.js";
import { ConfigError } from "../stacks/validate.js";

export async function runCli(main: () => Promise<void>): Promise<void> {
  try {
    await main();
  } catch (e) {
    if (e instanceof ConfigError || e instanceof SynthError) {
      console.error(`error: ${e.message.split("\n").join("\nerror: ")}`);
      process.exitCode = 1;
      return;
    }
    if (e instanceof Error && e.name === "ContractError") {
      console.error(`error: ${e.message}`);
      process.exitCode = 1;
      return;
    }
    if (e instanceof TypeError && (e as { code?: string }).code === "ERR_PARSE_ARGS_UNKNOWN_OPTION") {
      console.error(`error: ${e.message}`);
      process.exitCode = 2;
      return;
    }
    throw e;
  }
}
