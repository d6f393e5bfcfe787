// `mgw translate -f resources.yaml`: the renderer's translation, offline. It prints the Envoy
// resources, infra description and status facts a file of Gateway API objects produces — for
// debugging a configuration and for reviewing what a change would do, like `egctl x translate`.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { controllerName, DEFAULT_INSTANCE } from '@microgateway/contracts';
import { resourcesFromObjects, translateAll } from '@microgateway/renderer/translate';
import { parseAllDocuments, stringify } from 'yaml';
import { CliError } from './output.js';

const USAGE = 'usage: mgw translate -f FILE [-f FILE...] [--instance NAME] [--gateway NAMESPACE/NAME] [-o yaml|json]';

export async function runTranslate(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      file: { type: 'string', short: 'f', multiple: true },
      instance: { type: 'string', default: DEFAULT_INSTANCE },
      gateway: { type: 'string' },
      output: { type: 'string', short: 'o', default: 'yaml' },
    },
  });
  if (!values.file?.length) throw new CliError(USAGE);
  if (values.output !== 'yaml' && values.output !== 'json') throw new CliError(`unknown output format "${values.output}"\n${USAGE}`);

  const { resources, rejected } = resourcesFromObjects(values.file.flatMap(readObjects));
  const translations = translateAll(resources, { controllerName: controllerName(values.instance) }).filter(
    (t) => values.gateway === undefined || `${t.gateway.namespace}/${t.gateway.name}` === values.gateway,
  );
  if (values.gateway !== undefined && translations.length === 0) {
    throw new CliError(`no Gateway ${values.gateway} of a GatewayClass with controllerName ${controllerName(values.instance)} in the input`, 1);
  }
  const result = { gateways: translations, rejected };
  process.stdout.write(values.output === 'json' ? `${JSON.stringify(result, null, 2)}\n` : stringify(result, { aliasDuplicateObjects: false }));
  return rejected.length > 0 ? 1 : 0;
}

/** Every YAML document of a file (`-` reads standard input), as plain objects. */
function readObjects(file: string): unknown[] {
  const text = readFileSync(file === '-' ? 0 : file, 'utf8');
  return parseAllDocuments(text).flatMap((doc) => {
    if (doc.errors.length > 0) throw new CliError(`${file}: ${doc.errors[0]?.message ?? 'invalid YAML'}`, 1);
    const value: unknown = doc.toJS();
    return value === null || value === undefined ? [] : [value];
  });
}
