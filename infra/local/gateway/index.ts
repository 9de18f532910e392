export { buildEvent, flattenClaim, flattenClaims, formatRequestTime, isTextContentType } from './event.ts';
export {
  type ExtraHandler,
  type Gateway,
  type GatewayErrorContext,
  type GatewayLogLine,
  type GatewayOptions,
  startGateway,
} from './gateway.ts';
export {
  BodyTooLargeError,
  type FieldError,
  type Problem,
  readBody,
  requestPath,
  requestQuery,
  sendJson,
  sendProblem,
} from './http.ts';
export { type CompiledRoute, compileRoutes, type RouteMatch, type RouteTable } from './routes.ts';
