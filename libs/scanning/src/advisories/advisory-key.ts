/**
 * How advisories and packages meet: by ecosystem and name, with PyPI names compared in their
 * PEP 503 normal form (advisories and dist-info spell `PyYAML`, `pyyaml`, `py_yaml` alike).
 */
import { normalizePythonName } from '../packages/purl';

export function advisoryKey(ecosystem: string, name: string): string {
  return `${ecosystem}\0${ecosystem === 'PyPI' ? normalizePythonName(name) : name}`;
}
