import {
  type ProcessManifest,
  publicPath,
  type RouteDefinition,
  routeKey,
} from '#shared/platform/manifest.ts';

type Segment = { readonly literal: string } | { readonly param: string };

/** A manifest route compiled for matching, with the process that serves it. */
export interface CompiledRoute {
  readonly processName: string;
  readonly routeName: string;
  readonly route: RouteDefinition;
  /** API Gateway's route key, e.g. `GET /api/services/{serviceId}`. */
  readonly routeKey: string;
  readonly segments: readonly Segment[];
}

export interface RouteMatch {
  readonly compiled: CompiledRoute;
  /** Decoded path parameters; empty when the route has none. */
  readonly pathParameters: Readonly<Record<string, string>>;
}

export interface RouteTable {
  readonly routes: readonly CompiledRoute[];
  /** The route serving `method rawPath`, or undefined; `rawPath` is still percent-encoded. */
  match(method: string, rawPath: string): RouteMatch | undefined;
}

const PARAM = /^\{([A-Za-z_][A-Za-z0-9_]*)\}$/;

function compilePath(path: string, key: string): Segment[] {
  return path
    .split('/')
    .slice(1)
    .map((part) => {
      const param = PARAM.exec(part);
      if (param?.[1] !== undefined) return { param: param[1] };
      // Greedy `{proxy+}` and partial parameters (`file.{ext}`) are valid in AWS but unused here; refuse
      // them rather than match them differently from API Gateway.
      if (part.includes('{') || part.includes('}'))
        throw new Error(`Unsupported path segment "${part}" in ${key}`);
      if (part.length === 0) throw new Error(`Empty path segment in ${key}`);
      return { literal: part };
    });
}

function isLiteral(segment: Segment | undefined): boolean {
  return segment !== undefined && 'literal' in segment;
}

/**
 * Orders routes of one length so that, segment by segment from the left, a literal comes before a
 * parameter: `/services/export` is tried before `/services/{serviceId}`, as API Gateway does.
 */
function bySpecificity(a: CompiledRoute, b: CompiledRoute): number {
  for (let i = 0; i < Math.min(a.segments.length, b.segments.length); i += 1) {
    const aLiteral = isLiteral(a.segments[i]);
    const bLiteral = isLiteral(b.segments[i]);
    if (aLiteral !== bLiteral) return aLiteral ? -1 : 1;
  }
  return 0;
}

function decodeSegment(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}

/**
 * Compiles the routes of every manifest. Throws when two routes share a route key, or when two differ
 * only in parameter names (`/a/{x}` and `/a/{y}`), which API Gateway refuses as conflicting too.
 */
export function compileRoutes(manifests: readonly ProcessManifest[]): RouteTable {
  const routes: CompiledRoute[] = [];
  const byKey = new Map<string, string>();
  const byShape = new Map<string, string>();
  for (const manifest of manifests) {
    for (const [routeName, route] of Object.entries(manifest.routes)) {
      const key = routeKey(route);
      const owner = `${manifest.name}.${routeName}`;
      const clash = byKey.get(key);
      if (clash !== undefined) throw new Error(`Route ${key} is declared twice: by ${clash} and by ${owner}`);
      byKey.set(key, owner);
      const segments = compilePath(publicPath(route), key);
      const shape = `${route.method} /${segments.map((s) => ('literal' in s ? s.literal : '{}')).join('/')}`;
      const shapeClash = byShape.get(shape);
      if (shapeClash !== undefined) {
        throw new Error(`Route ${key} of ${owner} conflicts with ${shapeClash}: they match the same paths`);
      }
      byShape.set(shape, `${key} of ${owner}`);
      routes.push({ processName: manifest.name, routeName, route, routeKey: key, segments });
    }
  }
  const ordered = [...routes].sort(bySpecificity);

  return {
    routes,
    match(method, rawPath) {
      const parts = rawPath.split('/').slice(1);
      for (const compiled of ordered) {
        if (compiled.route.method !== method || compiled.segments.length !== parts.length) continue;
        const pathParameters: Record<string, string> = {};
        let matched = true;
        for (let i = 0; i < parts.length && matched; i += 1) {
          const segment = compiled.segments[i] as Segment;
          const part = parts[i] as string;
          if ('literal' in segment) {
            matched = segment.literal === part;
            continue;
          }
          const value = part.length > 0 ? decodeSegment(part) : undefined;
          // `.` and `..` are not ids; letting them through would invite path games further down.
          if (value === undefined || value === '.' || value === '..') matched = false;
          else pathParameters[segment.param] = value;
        }
        if (matched) return { compiled, pathParameters };
      }
      return undefined;
    },
  };
}
