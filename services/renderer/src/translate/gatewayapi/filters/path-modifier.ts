import type { HttpRouteFilter, IrMatch, IrPathModifier } from '@microgateway/contracts';
import { RouteReason } from '@microgateway/contracts';
import type { Problem } from '../listeners.js';

type PathModifier = NonNullable<NonNullable<HttpRouteFilter['urlRewrite']>['path']>;

/**
 * HTTPPathModifier shared by RequestRedirect and URLRewrite: ReplaceFullPath, or
 * ReplacePrefixMatch — which only makes sense when every match of the rule is a PathPrefix match
 * (the spec's validation), since it replaces the matched prefix.
 */
export function convertPathModifier(path: PathModifier, matches: readonly IrMatch[]): IrPathModifier | Problem {
  if (path.type === 'ReplaceFullPath' && path.replaceFullPath !== undefined) return { type: 'ReplaceFullPath', value: path.replaceFullPath };
  if (path.type === 'ReplacePrefixMatch' && path.replacePrefixMatch !== undefined) {
    if (!matches.every((m) => m.path.type === 'PathPrefix')) {
      return { reason: RouteReason.UnsupportedValue, message: 'ReplacePrefixMatch needs PathPrefix path matches' };
    }
    return { type: 'ReplacePrefixMatch', value: path.replacePrefixMatch };
  }
  return { reason: RouteReason.UnsupportedValue, message: `path modifier ${path.type} is not supported or lacks its value` };
}
