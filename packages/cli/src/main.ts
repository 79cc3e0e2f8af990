// cvc — the command line of clocks-vs-crocodiles.
import { Command, Option } from 'commander';
import { runStageCommand } from './commands/stage.ts';
import { statusCommand } from './commands/status.ts';
import { verifyCommand } from './commands/verify.ts';
import { similarCommand } from './commands/similar.ts';
import { reportCommand } from './commands/report.ts';
import { classifyCommand } from './commands/classify.ts';
import { generateCommand } from './commands/generate.ts';
import { cacheServerCommand } from './commands/cache-server.ts';

const program = new Command()
  .name('cvc')
  .description('clocks-vs-crocodiles: a reproducible pipeline that classifies, finds look-alikes and generates hybrids')
  .showHelpAfterError();

const pipelineOption = () => new Option('--pipeline <file>', 'pipeline file').default('pipelines/clocks-vs-crocodiles.yaml');

program
  .command('stage')
  .description('run one stage now, without the cache (Nx calls this; `nx run <stage>:stage` is the cached way)')
  .argument('<name>', 'stage name, e.g. data-prep')
  .addOption(pipelineOption())
  .option('--profile <name>', 'apply a profile from pipelines/profiles (e.g. smoke)')
  .option('--params-digest <digest>', 'refuse to run unless the params hash to this digest (set by the Nx plugin)')
  .option('--set <key=value...>', 'override a param for this run, e.g. --set split.test=0.2')
  .option('--data-dir <path>', 'shorthand for --set dataDir=<path> (data-prep)')
  .action(runStageCommand);

program
  .command('status')
  .description('for each stage: up to date, or would rerun and why (params, code, inputs)')
  .addOption(pipelineOption())
  .option('--profile <name>', 'compare against a profile')
  .option('--json', 'one JSON object per stage')
  .action(statusCommand);

program
  .command('verify')
  .description('rerun the pipeline with the cache off and check every artifact is byte-identical to the previous run')
  .addOption(pipelineOption())
  .option('--profile <name>', 'run under a profile (e.g. smoke)')
  .action(verifyCommand);

program
  .command('report')
  .description('print the path of the report page (artifacts/report/index.html) after refreshing its run times; --open shows it')
  .addOption(pipelineOption())
  .option('--open', 'open the page in the desktop browser (where a desktop exists)')
  .action(reportCommand);

program
  .command('similar')
  .description('the dataset images nearest to an image in the classifier\'s embedding space, with their classes')
  .argument('<image>', 'a dataset image (clock/clock.12.png, a path ending in it, or a unique file name) or any image file')
  .option('--k <n>', 'how many neighbours', '8')
  .option('--layer <name>', 'embedding layer (fc7, pooled)', 'fc7')
  .option('--metric <name>', 'cosine or euclidean', 'cosine')
  .option('--png <file>', 'also write a picture: the query and its neighbours')
  .addOption(pipelineOption())
  .action(similarCommand);

program
  .command('classify')
  .description('label and p(crocodile) for each image; with clock/ and crocodile/ subfolders also the accuracy')
  .argument('<paths...>', 'image files or folders')
  .addOption(pipelineOption())
  .option('--model <dir>', 'a saved model folder (default: the full model of the pipeline\'s best, from models/best.json)')
  .option('--json', 'one JSON object per line: {"file", "label", "pCrocodile"}')
  .action(classifyCommand);

program
  .command('generate')
  .description('new images from a trained generator: --mix 0 clock … 1 crocodile, 0.5 a hybrid')
  .addOption(pipelineOption())
  .addOption(new Option('--model <model>', 'which trained generator').choices(['vae', 'gan', 'diffusion']).makeOptionMandatory())
  .option('--n <count>', 'number of images', '16')
  .option('--mix <mix>', 'label mix, 0 = clock … 1 = crocodile', '0.5')
  .option('--seed <seed>', 'seed of the latent draws', '1')
  .requiredOption('--out <dir>', 'output folder for the PNGs')
  .action(generateCommand);

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
  .action(cacheServerCommand);

program.parseAsync().catch((err: unknown) => {
  process.stderr.write(`cvc: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
