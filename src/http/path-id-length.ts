/**
 * The longest id a route takes in its path (a customer's external id, a provider's event id),
 * and the router's `maxParamLength`: one number, so an id the API accepts in a body can always
 * be used in a path. Above it the router itself refuses the path (414) before any route runs.
 */
export const PATH_ID_MAX_LENGTH = 200;
