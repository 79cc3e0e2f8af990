// cvc — the command line of clocks-vs-crocodiles. This file only declares commands: each
// command's module (and TensorFlow.js, for the commands that use it) loads when that command
// runs, so `cvc --help` answers at once.
import { readFileSync } from 'node:fs';
import { Command, Help, Option } from 'commander';
import { endQuietlyWhenOutputCloses } from './closed-pipe.ts';

endQuietlyWhenOutputCloses();

const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };

/** The action of a command, loaded on first use. */
function lazy<M>(load: () => Promise<M>, pick: (mod: M) => (...args: never[]) => unknown) {
  return async (...args: unknown[]) => {
    const action = pick(await load()) as (...a: unknown[]) => unknown;
    await action(...args);
  };
}

/** "Examples:" below a command's options. */
const examples = (...lines: string[]) => `\nExamples:\n${lines.map((l) => `  $ ${l}`).join('\n')}\n`;

class CvcHelp extends Help {
  // Commander does not say which options are required; this does, first thing in the description.
  override optionDescription(option: Option): string {
    const base = super.optionDescription(option);
    return option.mandatory ? `(required) ${base}` : base;
  }
}

class CvcCommand extends Command {
  override createCommand(name?: string): Command {
    return new CvcCommand(name);
  }
  override createHelp(): Help {
    return Object.assign(new CvcHelp(), this.configureHelp());
  }
}

const program = new CvcCommand()
  .name('cvc')
  .description('clocks-vs-crocodiles: a reproducible pipeline that classifies, finds look-alikes and generates hybrids')
  .version(`cvc ${version}`, '-V, --version', 'print the version')
  .showHelpAfterError();

const pipelineOption = () => new Option('--pipeline <file>', 'pipeline file').default('pipelines/clocks-vs-crocodiles.yaml');
const profileOption = (what: string) => new Option('--profile <name>', what);

program
  .command('stage')
  .description('run one stage now, without the cache (Nx calls this; `nx run <stage>:stage` is the cached way)')
  .argument('<name>', 'stage name, e.g. data-prep')
  .addOption(pipelineOption())
  .addOption(profileOption('apply a profile from pipelines/profiles (e.g. smoke)'))
  .addOption(new Option('--params-digest <digest>', 'refuse to run unless the params hash to this digest (set by the Nx plugin)').hideHelp())
  .option('--set <key=value...>', 'override a param for this run, e.g. --set split.test=0.2')
  .option('--data-dir <path>', 'shorthand for --set dataDir=<path> (data-prep)')
  .addHelpText('after', examples('npx cvc stage data-prep --data-dir ~/pictures/clocks-and-crocodiles', 'npx cvc stage ranker --set topK=64'))
  .action(lazy(() => import('./commands/stage.ts'), (m) => m.runStageCommand));

program
  .command('status')
  .description('for each stage: up to date, or would rerun and why (params, code, inputs)')
  .addOption(pipelineOption())
  .addOption(profileOption('compare against a profile'))
  .option('--json', 'one JSON object per stage')
  .addHelpText('after', examples('npx cvc status', 'npx cvc status --profile smoke --json'))
  .action(lazy(() => import('./commands/status.ts'), (m) => m.statusCommand));

program
  .command('verify')
  .description('rerun the pipeline with the cache off and check every artifact is byte-identical to the previous run')
  .addOption(pipelineOption())
  .addOption(profileOption('run under a profile (e.g. smoke)'))
  .addHelpText('after', examples('npx cvc verify --profile smoke'))
  .action(lazy(() => import('./commands/verify.ts'), (m) => m.verifyCommand));

const metrics = program
  .command('metrics')
  .description("every stage's headline figures, now or in an earlier run, and how two runs differ (params beside metrics)");
metrics
  .command('show')
  .description("a table of every stage's headline figures (artifacts/ now, or a run from artifacts/.runs/history)")
  .argument('[run]', 'a run from `cvc metrics list` (name or unique prefix); default: the workspace')
  .addOption(pipelineOption())
  .option('--json', 'the figures as JSON')
  .addHelpText('after', examples('npx cvc metrics show', 'npx cvc metrics show --json | jq \'.figures[] | select(.stage == "classifier")\''))
  .action(lazy(() => import('./commands/metrics.ts'), (m) => m.metricsShowCommand));
metrics
  .command('diff')
  .description('param changes and metric changes between the workspace and the previous run (or a named one)')
  .argument('[run]', 'the run to compare with (name or unique prefix); default: the run before the workspace\'s')
  .argument('[other]', 'compare these two runs instead of the workspace')
  .addOption(pipelineOption())
  .option('--all', 'also list figures that did not change')
  .option('--json', 'the changes as JSON')
  .addHelpText('after', examples('npx cvc metrics diff', 'npx cvc metrics diff 2026-12-04T19-40 --json'))
  .action(lazy(() => import('./commands/metrics.ts'), (m) => m.metricsDiffCommand));
metrics
  .command('list')
  .description('the runs kept in artifacts/.runs/history (newest last)')
  .addOption(pipelineOption())
  .option('--json', 'one JSON object per run')
  .addHelpText('after', examples('npx cvc metrics list'))
  .action(lazy(() => import('./commands/metrics.ts'), (m) => m.metricsListCommand));
metrics
  .command('snapshot', { hidden: true })
  .description('keep a snapshot of the workspace\'s metrics and params in artifacts/.runs/history (the last step of pipeline:all)')
  .addOption(pipelineOption())
  .action(lazy(() => import('./commands/metrics.ts'), (m) => m.metricsSnapshotCommand));

const exp = program.command('exp').description('experiments: run the pipeline with changed params without editing the YAML, and compare');
exp
  .command('run')
  .description('run the stages a param change affects, as an experiment (a generated profile; unaffected stages come from the cache)')
  .addOption(new Option('--set <path=value...>', 'a param as `cvc status` names it, value parsed as YAML; a path held by several stages needs the stage first').makeOptionMandatory())
  .option('--name <name>', 'experiment name (default: made from the changes)')
  .addOption(profileOption('start from a profile instead of the pipeline as written (e.g. smoke)'))
  .addOption(pipelineOption())
  .addHelpText(
    'after',
    examples('npx cvc exp run --set models[resnet].training.maxEpochs=60', 'npx cvc exp run --set ranker.topK=64 --name top64', 'npx cvc exp run --profile smoke --set generator.vae.epochs=2 --name vae2'),
  )
  .action(lazy(() => import('./commands/exp.ts'), (m) => m.expRunCommand));
exp
  .command('show')
  .description("every experiment's param changes and headline figures next to the run it started from")
  .addOption(pipelineOption())
  .option('--all', 'also the figures that are the same in every column')
  .option('--json', 'as JSON (every figure)')
  .addHelpText('after', examples('npx cvc exp show'))
  .action(lazy(() => import('./commands/exp.ts'), (m) => m.expShowCommand));

program
  .command('dag')
  .description('the pipeline as a graph: stages, the artifacts on the edges, each stage\'s status and last run time')
  .addOption(pipelineOption())
  .addOption(profileOption('status under a profile'))
  .option('--svg <file>', 'write an SVG picture instead of printing text')
  .option('--packages', 'draw the workspace packages and their dependencies instead')
  .addHelpText('after', examples('npx cvc dag', 'npx cvc dag --svg dag.svg', 'npx cvc dag --packages --svg docs/packages.svg'))
  .action(lazy(() => import('./commands/dag.ts'), (m) => m.dagCommand));

program
  .command('report')
  .description('print the path of the report page (artifacts/report/index.html) after refreshing its run times; --open shows it')
  .addOption(pipelineOption())
  .option('--open', 'open the page in the desktop browser (where a desktop exists)')
  .addHelpText('after', examples('npx cvc report --open'))
  .action(lazy(() => import('./commands/report.ts'), (m) => m.reportCommand));

program
  .command('similar')
  .description('the dataset images nearest to an image in the classifier\'s embedding space, with their classes')
  .argument('<image>', 'a dataset image (clock/clock.12.png, a path ending in it, or a unique file name) or any image file')
  .option('--k <n>', 'how many neighbours', '8')
  .option('--layer <name>', 'embedding layer (fc7, pooled)', 'fc7')
  .option('--metric <name>', 'cosine or euclidean', 'cosine')
  .option('--png <file>', 'also write a picture: the query and its neighbours')
  .option('--json', 'one JSON object: the query and its neighbours')
  .addOption(pipelineOption())
  .addHelpText('after', examples('npx cvc similar clock/clock.12.png --k 5', 'npx cvc similar ~/photo.jpg --layer pooled --png near.png', 'npx cvc similar crocodile.3.png --json'))
  .action(lazy(() => import('./commands/similar.ts'), (m) => m.similarCommand));

program
  .command('classify')
  .description('label and p(crocodile) for each image; with clock/ and crocodile/ subfolders also the accuracy')
  .argument('<paths...>', 'image files or folders')
  .addOption(pipelineOption())
  .option('--model <dir>', 'a saved model folder (default: the full model of the pipeline\'s best, from models/best.json)')
  .option('--json', 'one JSON object per line: {"file", "label", "pCrocodile"}')
  .addHelpText('after', examples('npx cvc classify photo.jpg', 'npx cvc classify ../shared/data/clocks-crocodiles --json'))
  .action(lazy(() => import('./commands/classify.ts'), (m) => m.classifyCommand));

program
  .command('generate')
  .description('new images from a trained generator: --mix 0 clock … 1 crocodile, 0.5 a hybrid')
  .addOption(pipelineOption())
  .addOption(new Option('--model <model>', 'which trained generator').choices(['vae', 'gan', 'diffusion', 'autoencoder']).makeOptionMandatory())
  .option('--n <count>', 'number of images', '16')
  .option('--mix <mix>', 'label mix, 0 = clock … 1 = crocodile', '0.5')
  .option('--seed <seed>', 'seed of the latent draws', '1')
  .requiredOption('--out <dir>', 'output folder for the PNGs')
  .option('--json', 'one JSON object: the model, mix, seed and the files written')
  .option('--no-guidance', 'draw without the guidance the pipeline gives this model (any mix)')
  .addHelpText('after', examples('npx cvc generate --model autoencoder --n 16 --mix 0 --out clocks/', 'npx cvc generate --model diffusion --n 16 --mix 0.5 --out hybrids/', 'npx cvc generate --model vae --mix 0 --out clocks/ --json'))
  .action(lazy(() => import('./commands/generate.ts'), (m) => m.generateCommand));

program
  .command('cache-server')
  .description("serve the team's Nx remote cache (GET/PUT /v1/cache/{hash}); tokens from CVC_CACHE_READ_TOKENS / CVC_CACHE_WRITE_TOKENS or --tokens")
  .requiredOption('--dir <folder>', 'where entries are stored')
  .option('--host <address>', 'address to listen on', '127.0.0.1')
  .option('--port <n>', 'port (0: any free port, printed at start)', '4380')
  .option('--tokens <file>', 'token file, one "<read|write> <label> <token>" a line (chmod 600)')
  .option('--max-entry-size <size>', 'largest entry accepted (one stage\'s gzipped outputs)', '2GiB')
  .option('--max-size <size>', 'evict least recently used entries beyond this total, e.g. 50GB')
  .option('--max-age <age>', 'evict entries unused for this long, e.g. 30d')
  .addHelpText('after', examples('npx cvc cache-server --dir /srv/cvc-cache --host 0.0.0.0 --tokens ~/cvc-cache-tokens --max-size 50GB'))
  .action(lazy(() => import('./commands/cache-server.ts'), (m) => m.cacheServerCommand));

program.parseAsync().catch((err: unknown) => {
  process.stderr.write(`cvc: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
