/**
 * Where a deleted user's row is in Deleted Users: the page that lists them
 * (`?user=`, resolved by deletedPageOf) and the row's own id. Reserved
 * Numbers links a held number to it. Plain module: both pages render it.
 */
export const deletedUserAnchor = (id: number) => `deleted-user-${id}`;
export const deletedUserHref = (id: number) => `/users/deleted?user=${id}#${deletedUserAnchor(id)}`;
