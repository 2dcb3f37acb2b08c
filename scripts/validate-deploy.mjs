// validate-deploy.mjs: schema and syntax checks for docker/ (run by scripts/validate-deploy.sh, which installs the
// npm packages it imports). Usage: node validate-deploy.mjs DOCKER_DIR OUT_DIR
//
// - every *.yml / *.yaml under DOCKER_DIR parses (all documents);
// - every Kubernetes object of a built-in kind validates against the JSON schema bundled in the npm package
//   kubernetes-models (generated from Kubernetes' OpenAPI: types, required fields, enums, formats; like kubeconform
//   without --strict, unknown fields are not reported). KServe kinds have no bundled schema: their fields are
//   checked against the KServe API types by server/src/test/java/io/flexserve/server/deploy/DeployManifestsTest;
// - the Grafana dashboards are JSON with a panel list;
// - writes OUT_DIR/promql-rules.yml: every PromQL expression of the dashboards and of the prometheus-adapter rules as
//   a recording rule, for `promtool check rules` (the shell script runs it).
import fs from 'node:fs';
import path from 'node:path';
import yaml from 'js-yaml';

const [dockerDir, outDir] = process.argv.slice(2);
if (!dockerDir || !outDir) {
  console.error('usage: node validate-deploy.mjs DOCKER_DIR OUT_DIR');
  process.exit(2);
}
let failures = 0;
const fail = (file, msg) => { failures++; console.log(`FAIL ${file}: ${msg}`); };
const ok = (file, msg) => console.log(`ok   ${file}: ${msg}`);

function walk(dir) {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap(e => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? walk(p) : [p];
  }).sort();
}
const files = walk(dockerDir);
const rel = f => path.relative(path.dirname(dockerDir), f);
const exprs = [];

for (const file of files.filter(f => /\.ya?ml$/.test(f))) {
  let docs;
  try {
    docs = yaml.loadAll(fs.readFileSync(file, 'utf8')).filter(d => d != null);
  } catch (e) {
    fail(rel(file), `YAML: ${e.message}`);
    continue;
  }
  if (!file.includes(`${path.sep}k8s${path.sep}`)) {
    ok(rel(file), `YAML, ${docs.length} document(s)`);
    continue;
  }
  for (const doc of docs) {
    const id = `${doc.kind}/${doc.metadata?.name}`;
    const group = doc.apiVersion ?? '';
    let Model;
    try {
      const mod = await import(`kubernetes-models/${group}/${doc.kind}`);
      Model = mod[doc.kind];
    } catch {
      Model = undefined;
    }
    if (!Model) {
      ok(rel(file), `${id} (${group}): no bundled schema, parsed only (checked by DeployManifestsTest)`);
      continue;
    }
    try {
      new Model(doc).validate();
      ok(rel(file), `${id} (${group}) valid against the kubernetes-models schema`);
    } catch (e) {
      fail(rel(file), `${id}: ${e.message}`);
    }
    if (doc.kind === 'ConfigMap' && doc.data?.['config.yaml']) {
      const cfg = yaml.load(doc.data['config.yaml']);
      for (const [i, rule] of (cfg.rules ?? []).entries()) {
        const series = /^([a-zA-Z_:][a-zA-Z0-9_:]*)/.exec(rule.seriesQuery ?? '')?.[1];
        if (!series || !rule.metricsQuery || !rule.name?.as) {
          fail(rel(file), `adapter rule ${i} lacks seriesQuery, name.as or metricsQuery`);
          continue;
        }
        exprs.push({ source: `${rel(file)} rule ${rule.name.as}`, expr: rule.metricsQuery
          .replaceAll('<<.Series>>', series).replaceAll('<<.LabelMatchers>>', 'namespace="default"')
          .replaceAll('<<.GroupBy>>', 'pod') });
      }
      ok(rel(file), `prometheus-adapter config.yaml: ${(cfg.rules ?? []).length} rules`);
    }
  }
}

for (const file of files.filter(f => f.endsWith('.json'))) {
  let dash;
  try {
    dash = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    fail(rel(file), `JSON: ${e.message}`);
    continue;
  }
  if (!Array.isArray(dash.panels) || !dash.uid || !dash.title) {
    fail(rel(file), 'not a Grafana dashboard (uid, title, panels)');
    continue;
  }
  let n = 0;
  for (const p of dash.panels) {
    for (const t of p.targets ?? []) {
      n++;
      exprs.push({ source: `${rel(file)} "${p.title}" ${t.refId}`, expr: t.expr
        .replaceAll('$__rate_interval', '1m').replaceAll('$model', '.*').replaceAll('$job', '.*') });
    }
  }
  ok(rel(file), `Grafana dashboard "${dash.title}": ${dash.panels.length} panels, ${n} queries`);
}

fs.mkdirSync(outDir, { recursive: true });
const rules = { groups: [{ name: 'flexserve-deploy-queries', rules: exprs.map((e, i) => ({
  record: `flexserve_deploy_query_${i}`, expr: e.expr, labels: { source: e.source } })) }] };
fs.writeFileSync(path.join(outDir, 'promql-rules.yml'), yaml.dump(rules, { lineWidth: -1 }));
console.log(`wrote ${exprs.length} PromQL expressions to ${path.join(outDir, 'promql-rules.yml')}`);
console.log(failures === 0 ? 'validate-deploy.mjs: all passed' : `validate-deploy.mjs: ${failures} failure(s)`);
process.exit(failures === 0 ? 0 : 1);
