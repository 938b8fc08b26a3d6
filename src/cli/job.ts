/** `philote job render|merge`: a sliced run as a Kubernetes Indexed Job, and its slices' results joined. */
import { Command, InvalidArgumentError } from 'commander';
import { createOutput, pyJson } from '../output/index.js';
import { colorWanted } from '../output/colors.js';
import type { CliIO } from './io.js';
import { exitCodeOf, mergeResults, readSliceResult } from './job-merge.js';
import { renderJob } from './job-render.js';

const positive = (name: string) => (v: string) => {
  if (!/^\d+$/.test(v) || Number(v) < 1) throw new InvalidArgumentError(`argument ${name}: expected a positive integer, got '${v}'`);
  return Number(v);
};
const collect = (v: string, prev: string[] = []) => [...prev, v];

interface RenderFlags {
  slices: number;
  image: string;
  name: string;
  namespace?: string;
  parallelism?: number;
  philote: string;
  workdir: string;
  configmap?: string;
  files?: string[];
  sshSecret?: string;
  serviceAccount?: string;
}

export function jobCommand(io: CliIO, setExit: (code: number) => void): Command {
  const cmd = new Command('job').description('run a playbook as a sliced Kubernetes Indexed Job, and merge the slices');
  cmd
    .command('render')
    .description('print a Kubernetes Indexed Job running `philote playbook --slice K/N ARGS` as N pods (ARGS after --)')
    .requiredOption('--slices <n>', 'number of slices (pods)', positive('--slices'))
    .requiredOption('--image <image>', 'container image with philote (and, without --configmap/--files, the playbooks)')
    .option('--name <name>', 'Job name', 'philote')
    .option('-n, --namespace <ns>', 'namespace')
    .option('--parallelism <n>', 'slices running at once (default: all)', positive('--parallelism'))
    .option('--philote <cmd>', 'the philote command in the image', 'philote')
    .option('--workdir <dir>', 'working folder of the pod (where the ConfigMap is mounted)', '/philote/work')
    .option('--configmap <name>', 'an existing ConfigMap holding the inventory and playbooks, mounted at --workdir')
    .option('--files <path>', 'render a ConfigMap from these files or folders (repeatable; paths relative to here)', collect)
    .option('--ssh-secret <name>', 'a kubernetes.io/ssh-auth Secret whose ssh-privatekey is the SSH key')
    .option('--service-account <name>', 'service account of the pods (for k8s tasks)')
    .argument('[args...]', 'philote playbook arguments: -i INVENTORY PLAYBOOK ...')
    .action((args: string[], f: RenderFlags) => {
      io.stdout.write(renderJob({ ...f, args, cwd: io.cwd }));
      setExit(0);
    });
  cmd
    .command('merge')
    .description("join the slices' json callback results into one, exit with ansible-playbook's code for it")
    .option('--recap', 'print the PLAY RECAP instead of the merged JSON')
    .argument('<files...>', 'one JSON result per slice')
    .action(async (files: string[], f: { recap?: boolean }) => {
      const merged = mergeResults(files.map(readSliceResult));
      if (f.recap) {
        const out = createOutput('default', { stream: io.stdout, errStream: io.stderr, color: colorWanted(io.stdout, io.env), verbosity: 0, diff: false, env: io.env });
        out.emit({ type: 'playbook_end', stats: merged.stats });
        await out.close();
      } else io.stdout.write(pyJson(merged, 4) + '\n');
      setExit(exitCodeOf(merged.stats));
    });
  return cmd;
}
