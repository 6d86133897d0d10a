/**
 * The many-services form of an environment: one platform config (namespace, cluster, monitoring,
 * capacity, the optional sections) serving a list of inference services, each with its own image,
 * resources, metric contract, probes, scaling, alerts and SLO, over shared per-env `defaults`.
 *
 * Each service becomes a {@link ServiceEnvConfig} view (the environment's shared sections plus the
 * service's own `service`, `scaling`, `slo` and `monitoring.alerts`) validated by the one view
 * schema (stacks/config.ts): every per-service rule is written once and holds for every service.
 * Errors are mapped back to where the user wrote the value (`services[1].slo...` or `defaults...`)
 * and name the service.
 */
import type { z } from "zod";
import type { EnvConfigSchema, MonitoringSchema, ScalingSchema, ServiceSchema, SimulationSchema, SloSchema } from "./config.js";

type DeepPartial<T> = T extends readonly (infer _U)[] ? T : T extends object ? { [K in keyof T]?: DeepPartial<T[K]> } : T;

type ServiceFields = z.input<typeof ServiceSchema>;
type AlertsInput = NonNullable<z.input<typeof MonitoringSchema>>["alerts"];

/** One inference service as an env file writes it. */
export type ServiceEntryInput = Omit<ServiceFields, "resources"> & {
  /** Requests and limits; @default `defaults.resources` */
  resources?: ServiceFields["resources"];
  /** How this service scales, deep-merged over `defaults.scaling`. */
  scaling?: DeepPartial<z.input<typeof ScalingSchema>>;
  /** This service's SLOs, deep-merged over `defaults.slo`. */
  slo?: DeepPartial<z.input<typeof SloSchema>>;
  /** This service's alert thresholds, deep-merged over `defaults.alerts` and `monitoring.alerts`. */
  alerts?: DeepPartial<AlertsInput>;
  /** The service model the simulator runs for this service, over the env's `simulation`. @default the env's */
  simulation?: DeepPartial<z.input<typeof SimulationSchema>>;
  /**
   * This service's load test, deep-merged over the env's `loadTest` (e.g. its own payload or
   * stages). Every service of an env with `loadTest` gets one against its own Service, path
   * (`scaling.endpoint`) and per-user rate; a service after the first is named
   * `<loadTest.name>-<service>` unless it names its own. @default the env's `loadTest`
   */
  loadTest?: DeepPartial<NonNullable<z.input<typeof EnvConfigSchema>["loadTest"]>>;
};

/** What every service inherits unless it overrides the field. */
export interface EnvDefaultsInput {
  resources?: DeepPartial<ServiceFields["resources"]>;
  scaling?: DeepPartial<z.input<typeof ScalingSchema>>;
  slo?: DeepPartial<z.input<typeof SloSchema>>;
  alerts?: DeepPartial<AlertsInput>;
}

/** What an env file writes: defaults may be omitted; at least one service. */
export type EnvConfigInput = Omit<z.input<typeof EnvConfigSchema>, "service" | "scaling" | "slo"> & {
  /** Shared per-env defaults, deep-merged under every service entry (a service's own value wins). @default none */
  defaults?: EnvDefaultsInput;
  /** The inference services (models) of the environment; names unique. The first keeps the single-service object names. */
  services: ServiceEntryInput[];
};

/** Fields a service entry holds beside the ServiceSchema fields. */
export const SERVICE_OWN_SECTIONS = ["scaling", "slo", "alerts", "simulation", "loadTest"] as const;
/** Fields `defaults` may hold. */
export const DEFAULT_SECTIONS = ["resources", "scaling", "slo", "alerts"] as const;
/** Env-level sections only the first service's view renders (workloads beside the services and env-wide tooling). */
const FIRST_VIEW_ONLY = ["orchestrator", "queueWorkers", "gpu", "dashboards", "capacity"] as const;
/** The load test's default name (LoadTestSchema's `name`). */
const LOAD_TEST_NAME = "locust";

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => v !== null && typeof v === "object" && !Array.isArray(v);

/** Deep merge: objects merge key by key, anything else (arrays included) in `over` replaces. */
export function deepMerge(base: unknown, over: unknown): unknown {
  if (over === undefined) return base;
  if (!isObj(base) || !isObj(over)) return over;
  const out: Obj = { ...base };
  for (const [k, v] of Object.entries(over)) out[k] = deepMerge(base[k], v);
  return out;
}

/** A problem the expansion finds before any view is parsed (dotted path, message, fix). */
export interface ShapeProblem {
  readonly code: "CONFIG_UNKNOWN_KEY" | "CONFIG_MISSING" | "CONFIG_INVALID_TYPE" | "CONFIG_CONFLICT" | "CONFIG_EMPTY" | "CONFIG_RANGE";
  readonly path: (string | number)[];
  readonly message: string;
  readonly fix: string;
}

/** One service's view input and how to map a view path back to the user's input. */
export interface ServiceView {
  readonly index: number;
  readonly name: string;
  /** The single-service input shape EnvConfigSchema parses. */
  readonly input: Obj;
  /** Where a problem at view path `path` was written by the user. */
  readonly sourcePath: (path: readonly (string | number)[]) => (string | number)[];
  /** The name its load test gets from the service's (`<loadTest.name>-<service>`), when the entry names none. */
  readonly loadTestName?: string | undefined;
}

export interface Expanded {
  readonly views: readonly ServiceView[];
  readonly problems: readonly ShapeProblem[];
}

function getIn(o: unknown, path: readonly (string | number)[]): unknown {
  let cur = o;
  for (const k of path) {
    if (cur === null || typeof cur !== "object") return undefined;
    cur = (cur as Obj)[k as string];
  }
  return cur;
}

/** Old single-service keys at the top level: each moves into an entry of services. */
function legacyKeyProblems(input: Obj): ShapeProblem[] {
  const problems: ShapeProblem[] = [];
  for (const legacy of ["service", "scaling", "slo"] as const) {
    if (legacy in input) {
      problems.push({
        code: "CONFIG_UNKNOWN_KEY",
        path: [legacy],
        message: `unknown field "${legacy}": an environment lists its inference services in services: [...]`,
        fix: `move ${legacy === "service" ? "the service's fields" : `"${legacy}"`} into an entry of services (services: [{ name, image, resources, scaling, slo, ... }])`,
      });
    }
  }
  return problems;
}

/** `defaults` must be a mapping of the sections it may hold. */
function defaultsProblems(defaults: unknown): ShapeProblem[] {
  const problems: ShapeProblem[] = [];
  if (defaults !== undefined && !isObj(defaults)) {
    problems.push({
      code: "CONFIG_INVALID_TYPE",
      path: ["defaults"],
      message: "must be a mapping (key: value)",
      fix: `give { ${DEFAULT_SECTIONS.join(", ")} }`,
    });
  } else if (defaults) {
    for (const k of Object.keys(defaults)) {
      if (!(DEFAULT_SECTIONS as readonly string[]).includes(k)) {
        problems.push({
          code: "CONFIG_UNKNOWN_KEY",
          path: ["defaults", k],
          message: `unknown field "${k}"`,
          fix: `defaults holds ${DEFAULT_SECTIONS.join(", ")}; set other fields per service`,
        });
      }
    }
    problems.push(...notMappings(defaults, DEFAULT_SECTIONS, ["defaults"]));
  }
  return problems;
}

/**
 * The sections of `parent` a service's own section is merged over, refused unless they are
 * mappings: the merge keeps a service's mapping over anything else, so `defaults: { slo: [..] }`
 * would vanish without a word wherever the services set their own.
 */
function notMappings(parent: Obj, keys: readonly string[], at: readonly string[]): ShapeProblem[] {
  return keys
    .filter((k) => parent[k] !== undefined && !isObj(parent[k]))
    .map((k) => ({
      code: "CONFIG_INVALID_TYPE",
      path: [...at, k],
      message: `must be a mapping (key: value), not ${parent[k] === null ? "null" : Array.isArray(parent[k]) ? "a list" : `a ${typeof parent[k]}`}`,
      fix: "write its fields as key: value pairs, or leave it out",
    }));
}

/** Service names: unique among the services and apart from the other workloads' names. */
function nameProblems(names: readonly string[], extraNames: readonly { name: string; path: string }[]): ShapeProblem[] {
  const problems: ShapeProblem[] = [];
  const firstIndex = new Map<string, number>();
  names.forEach((n, i) => {
    const first = firstIndex.get(n);
    if (first === undefined) firstIndex.set(n, i);
    else {
      problems.push({
        code: "CONFIG_CONFLICT",
        path: ["services", i, "name"],
        message: `service "${n}" is named like services[${first}]: two Deployments, autoscalers and rule groups would share one name`,
        fix: "give each service its own name",
      });
    }
  });
  names.forEach((n, i) => {
    const clash = extraNames.find((e) => e.name === n);
    if (clash)
      problems.push({
        code: "CONFIG_CONFLICT",
        path: ["services", i, "name"],
        message: `service "${n}" is named like ${clash.path}`,
        fix: "give each workload its own name",
      });
  });
  return problems;
}

/** What every service view is built from. */
interface ViewSources {
  readonly names: readonly string[];
  /** The environment's fields besides services and defaults. */
  readonly shared: Obj;
  /** The defaults block (empty when absent). */
  readonly d: Obj;
  /** The pre-scaling windows, when the env has a list. */
  readonly windows: unknown[] | undefined;
}

/** One service's view: the env's shared fields, the service's own over the defaults, and where each field came from. */
function serviceView(raw: unknown, index: number, { names, shared, d, windows }: ViewSources): ServiceView {
  const entry = isObj(raw) ? raw : {};
  const { scaling, slo, alerts, simulation, loadTest, ...fields } = entry;
  const name = names[index]!;
  const view: Obj = { ...shared };
  if (index > 0) for (const k of FIRST_VIEW_ONLY) delete view[k];
  // Pre-scaling windows go to the view of the service they target (the first view keeps the rest).
  let windowIndex: number[] = [];
  if (windows) {
    windowIndex = windows.flatMap((w, k) => {
      const t = isObj(w) ? w.target : undefined;
      const mine = t === name || (index === 0 && !names.includes(t as string));
      return mine ? [k] : [];
    });
    if (index > 0 && windowIndex.length === 0) delete view.prescaling;
    else view.prescaling = windowIndex.map((k) => windows[k]);
  }
  view.service = isObj(raw) ? deepMerge({ resources: d.resources }, fields) : raw;
  if (d.resources === undefined && isObj(view.service) && view.service.resources === undefined) delete view.service.resources;
  view.scaling = deepMerge(d.scaling, scaling);
  view.slo = deepMerge(d.slo, slo);
  const monitoring = isObj(shared.monitoring) ? shared.monitoring : shared.monitoring === undefined ? {} : shared.monitoring;
  if (isObj(monitoring) && (alerts !== undefined || d.alerts !== undefined)) {
    view.monitoring = { ...monitoring, alerts: deepMerge(deepMerge(monitoring.alerts, d.alerts), alerts) };
  }
  if (simulation !== undefined) view.simulation = deepMerge(shared.simulation, simulation);
  // Each service's load test: the env's, with the service's own fields over it; named apart after the first.
  let loadTestName: string | undefined;
  if (loadTest !== undefined || shared.loadTest !== undefined) {
    const merged = deepMerge(shared.loadTest, loadTest);
    const ownName = isObj(loadTest) && loadTest.name !== undefined;
    if (index > 0 && isObj(merged) && !ownName) {
      const base = isObj(shared.loadTest) && typeof shared.loadTest.name === "string" ? shared.loadTest.name : LOAD_TEST_NAME;
      loadTestName = `${base}-${name}`;
      view.loadTest = { ...merged, name: loadTestName };
    } else view.loadTest = merged;
  }
  for (const k of ["scaling", "slo"]) if (view[k] === undefined) delete view[k];
  const sourcePath = (p: readonly (string | number)[]): (string | number)[] => {
    const [head, ...rest] = p;
    const own = (section: string | undefined, defaultsSection: string, sub: readonly (string | number)[]) => {
      const entryPath = section ? [section, ...sub] : [...sub];
      if (getIn(entry, entryPath) === undefined && getIn(d, [defaultsSection, ...sub]) !== undefined)
        return ["defaults", defaultsSection, ...sub];
      return ["services", index, ...entryPath];
    };
    if (head === "service" && rest[0] === "resources") {
      if (getIn(entry, rest) === undefined && getIn(d, rest) !== undefined) return ["defaults", ...rest];
      return ["services", index, ...rest];
    }
    if (head === "service") return ["services", index, ...rest];
    if (head === "scaling" || head === "slo") return own(head, head, rest);
    if (head === "monitoring" && rest[0] === "alerts" && (alerts !== undefined || d.alerts !== undefined)) {
      if (getIn(entry, ["alerts", ...rest.slice(1)]) !== undefined) return ["services", index, "alerts", ...rest.slice(1)];
      if (getIn(d, ["alerts", ...rest.slice(1)]) !== undefined) return ["defaults", "alerts", ...rest.slice(1)];
      return [...p];
    }
    if (head === "simulation" && simulation !== undefined && getIn(entry, p) !== undefined) return ["services", index, ...p];
    if (head === "loadTest" && loadTest !== undefined && getIn(entry, p) !== undefined) return ["services", index, ...p];
    // The name this service's load test was given from the service's: the service's name is what to change.
    if (head === "loadTest" && rest.length === 1 && rest[0] === "name" && loadTestName !== undefined) return ["services", index, "name"];
    if (head === "prescaling" && typeof rest[0] === "number" && windows)
      return ["prescaling", windowIndex[rest[0]] ?? rest[0], ...rest.slice(1)];
    return [...p];
  };
  return { index, name, input: view, sourcePath, loadTestName };
}

/**
 * Splits the many-services input into one view input per service. `defaultName` is the name a
 * service without `name` gets (ServiceSchema's default), used for duplicate detection.
 */
export function expandServices(input: Obj, defaultName: string): Expanded {
  const defaults = input.defaults;
  const problems: ShapeProblem[] = [...legacyKeyProblems(input), ...defaultsProblems(defaults)];
  const services = input.services;
  if (services === undefined) {
    problems.push({
      code: "CONFIG_MISSING",
      path: ["services"],
      message: "is required: the environment's inference services",
      fix: "add services: [{ name, image, resources, scaling, slo }]",
    });
    return { views: [], problems };
  }
  if (!Array.isArray(services) || services.length === 0) {
    problems.push({
      code: Array.isArray(services) ? "CONFIG_EMPTY" : "CONFIG_INVALID_TYPE",
      path: ["services"],
      message: "must list at least one inference service",
      fix: "add services: [{ name, image, resources, scaling, slo }]",
    });
    return { views: [], problems };
  }
  const d = isObj(defaults) ? defaults : {};
  const { services: _s, defaults: _d, ...shared } = input;
  // The env-wide sections a service's own alerts, simulation and loadTest merge over.
  problems.push(...notMappings(shared, ["simulation", "loadTest"], []));
  if (isObj(shared.monitoring)) problems.push(...notMappings(shared.monitoring, ["alerts"], ["monitoring"]));
  const names = services.map((s) => (isObj(s) && typeof s.name === "string" ? s.name : defaultName));
  const beside = workloadNamesBeside(input);
  problems.push(...nameProblems(names, beside));
  const windows = Array.isArray(shared.prescaling) ? (shared.prescaling as unknown[]) : undefined;
  const views = services.map((raw, index) => serviceView(raw, index, { names, shared, d, windows }));
  problems.push(...loadTestNameProblems(views, names, beside));
  for (const v of views) {
    if (v.loadTestName !== undefined && v.loadTestName.length > 63)
      problems.push({
        code: "CONFIG_RANGE",
        path: ["services", v.index, "name"],
        message: `service "${v.name}" names its load test "${v.loadTestName}", ${v.loadTestName.length} characters: over a DNS label's 63`,
        fix: `shorten the service name, or give services[${v.index}].loadTest.name`,
      });
  }
  return { views, problems };
}

/** Names of the workloads beside the services (orchestrator, queue workers, GPU service), with their paths. */
/**
 * Each load test apart from every workload and from the other load tests: a load test's objects
 * take its name (its ServiceAccount is `<name>`, its Jobs `<name>-master`...), so a load test named
 * like a service would render a second ServiceAccount of that name. Reported where the name was
 * written (the service's name, for a name made from it).
 */
function loadTestNameProblems(
  views: readonly ServiceView[],
  services: readonly string[],
  beside: readonly { name: string; path: string }[],
): ShapeProblem[] {
  const problems: ShapeProblem[] = [];
  const taken = new Map<string, string>([
    ...services.map((n, i): [string, string] => [n, `services[${i}]`]),
    ...beside.map((b): [string, string] => [b.name, b.path]),
  ]);
  for (const v of views) {
    const loadTest = v.input.loadTest;
    if (!isObj(loadTest)) continue;
    const name = loadTest.name === undefined ? LOAD_TEST_NAME : loadTest.name;
    if (typeof name !== "string") continue; // the schema names the wrong type
    const clash = taken.get(name);
    if (clash === undefined) {
      taken.set(name, `the load test of services[${v.index}]`);
      continue;
    }
    problems.push({
      code: "CONFIG_CONFLICT",
      path: v.sourcePath(["loadTest", "name"]),
      message: `the load test of service "${v.name}" is named "${name}", like ${clash}: the load test's objects (its ServiceAccount "${name}", its Jobs "${name}-master" and "${name}-workers") take that name`,
      fix: "give the load test a name no workload or other load test has (loadTest.name)",
    });
  }
  return problems;
}

function workloadNamesBeside(input: Obj): { name: string; path: string }[] {
  const out: { name: string; path: string }[] = [];
  const named = (v: unknown, path: string, fallback?: string) => {
    if (!isObj(v)) return;
    const n = typeof v.name === "string" ? v.name : fallback;
    if (n) out.push({ name: n, path });
  };
  if (Array.isArray(input.queueWorkers)) input.queueWorkers.forEach((w, i) => named(w, `queueWorkers[${i}]`));
  named(input.orchestrator, "orchestrator", "orchestrator");
  named(input.gpu, "gpu", "llm");
  return out;
}

/** Each parsed environment's service views (how a view path maps back to the user's input), by parsed config. */
const VIEWS_OF = new WeakMap<object, readonly ServiceView[]>();

/** Remembers the views `config` was parsed from (stacks/validate.ts), so findings name what the user wrote. */
export function rememberViews(config: object, views: readonly ServiceView[]): void {
  VIEWS_OF.set(config, views);
}

/** `scaling.keda.p95Latency.threshold`, `prescaling[0].target` → path segments. */
export function pathSegments(path: string): (string | number)[] {
  const out: (string | number)[] = [];
  for (const m of path.matchAll(/\[(\d+)\]|([^.[\]]+)/g)) out.push(m[1] !== undefined ? Number(m[1]) : m[2]!);
  return out;
}

/**
 * Where a finding on service `index`'s view at `path` (a view path, dotted) was written by the
 * user: the same mapping a schema problem gets (`services[i].…` or `defaults.…`), whether the
 * environment lists one service or many. A config assembled without parsing (tests) has no views:
 * its service's `service`, `scaling` and `slo` are `services[i].…`.
 */
export function sourceOfViewPath(config: object, index: number, path: string): (string | number)[] {
  const segments = pathSegments(path);
  const view = VIEWS_OF.get(config)?.[index];
  if (view) return view.sourcePath(segments);
  const [head, ...rest] = segments;
  if (head === "service") return ["services", index, ...rest];
  if (head === "scaling" || head === "slo") return ["services", index, ...segments];
  return segments;
}
