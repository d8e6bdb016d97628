/**
 * Reads the conformance suite's console output (Ginkgo v1, run with OCI_DEBUG=1) into one
 * entry per failed spec: its name, what it asserted, and the last HTTP exchange before
 * the failure (request line, response status and body), so a failure says what was
 * sent, what was expected and what came back.
 */

interface Exchange {
  request?: string;
  status?: string;
  body: string[];
}

const bodyLimit = 400;

export function conformanceFailures(output: string): string[] {
  const lines = output.split('\n');
  const failures: string[] = [];
  let exchange: Exchange = { body: [] };
  let section: 'request' | 'response' | 'body' | undefined;

  for (let index = 0; index < lines.length; index++) {
    const line = lines[index]!;
    if (line.startsWith('~~~ REQUEST ~~~')) {
      exchange = { request: lines[index + 1]?.trim(), body: [] };
      section = 'request';
    } else if (line.startsWith('~~~ RESPONSE ~~~')) {
      section = 'response';
    } else if (section === 'response' && line.startsWith('STATUS')) {
      exchange.status = line.replace(/^STATUS\s*:\s*/, '');
    } else if (section === 'response' && line.startsWith('BODY')) {
      section = 'body';
    } else if (section === 'body' && /^={10,}/.test(line)) {
      section = undefined;
    } else if (section === 'body') {
      exchange.body.push(line.trim());
    } else if (/^• (Failure|Panic)/.test(line)) {
      const block: string[] = [];
      for (index++; index < lines.length && !lines[index]!.startsWith('-----'); index++)
        block.push(lines[index]!);
      failures.push(describeFailure(block, exchange));
    }
  }
  return failures;
}

function describeFailure(block: readonly string[], exchange: Exchange): string {
  // the block alternates names and source locations; the spec's name ends with [It]
  const meaningful = block
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('/'));
  const specIndex = meaningful.findIndex((line) =>
    /\[(It|BeforeEach|AfterEach|JustBeforeEach)\]$/.test(line),
  );
  const name = meaningful.slice(0, specIndex + 1).join(' / ');
  const assertion = meaningful.slice(specIndex + 1).join(' ');
  const body = exchange.body.join(' ').replace(/\s+/g, ' ').slice(0, bodyLimit);
  return [
    name,
    `  assertion: ${assertion}`,
    `  last request: ${exchange.request ?? 'none'}`,
    `  response: ${exchange.status ?? 'none'} ${body}`,
  ].join('\n');
}
