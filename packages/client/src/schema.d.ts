// Generated from recur's OpenAPI document by `npm run generate -w @recur/client`. Do not edit.

export interface paths {
    "/checkout/paypal/return": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Record the PayPal subscription or order the customer approved and send them on to the shop's return URL
         * @description PayPal appends the approved subscription's id (and its own ba_token and token) to the return URL recur gave it; for an order (prepaid time), the order's id as token and the PayerID. recur captures an approved order once (a reload captures nothing more) and records the prepaid period.
         */
        get: {
            parameters: {
                query?: {
                    PayerID?: string;
                    subscription_id?: string;
                    /** @description the order id, when subscription_id is absent */
                    token?: string;
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Recorded: on to the shop's return URL */
                303: {
                    headers: {
                        /** @description the shop's return_url with checkout=success|pending|canceled|declined and subscription=<id> or prepaid_period=<id> */
                        location?: string;
                        [name: string]: unknown;
                    };
                    content?: never;
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                502: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                503: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/checkout/stripe/return": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Record the finished Stripe checkout and send the customer on to the shop's return URL */
        get: {
            parameters: {
                query: {
                    session_id: string;
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Recorded: on to the shop's return URL */
                303: {
                    headers: {
                        /** @description the shop's return_url with checkout=success|pending|canceled and subscription=<id>, e.g. https://www.sportwinkel.example/account?checkout=success&subscription=5d0c8f2a-1b3e-4c6d-8e9f-a0b1c2d3e4f5 */
                        location?: string;
                        [name: string]: unknown;
                    };
                    content?: never;
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                502: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                503: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/healthz": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The process is up */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description The process answers */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "status": "ok"
                         *     }
                         */
                        "application/json": {
                            /** @enum {string} */
                            status: "ok";
                        };
                    };
                };
                /** @description Default Response */
                500: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/links/cancel": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The page behind the cancel link in notices: the plan, its end date and one button (changes nothing) */
        get: {
            parameters: {
                query: {
                    token: string;
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description The question in the customer's language, with the plan, its end date and one button */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /** @example <h1>Abonnement opzeggen</h1><p>Wil je je abonnement Maandelijks opzeggen? Het loopt dan af op 31 maart 2026. …</p> */
                        "text/html": string;
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                410: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                502: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                503: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        put?: never;
        /** Cancel at period end (the button of the cancel page); a second time only says it is done */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    /**
                     * @example {
                     *       "token": "eyJwIjoiY2FuY2VsIiwicyI6IjVkMGM4ZjJhIiwiZSI6MTc3NTAwMDAwMH0.Q2hhbmdlZEJ5TGlua1NpZ25pbmdTZWNyZXQ"
                     *     }
                     */
                    "application/json": {
                        token: string;
                    };
                };
            };
            responses: {
                /** @description Done, in the customer's language */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /** @example <h1>Je abonnement is opgezegd</h1><p>Je abonnement Maandelijks is opgezegd en loopt af op 31 maart 2026. …</p> */
                        "text/html": string;
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                410: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                502: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                503: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/links/done": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Where the billing portal returns the customer to */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description A thank-you page in Dutch and English */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /** @example <h1>Bedankt</h1> … <h1>Thank you</h1> */
                        "text/html": string;
                    };
                };
                /** @description Default Response */
                503: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/links/payment-method": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The page behind the fix-the-card link in notices: one button to the billing portal (opens no portal session) */
        get: {
            parameters: {
                query: {
                    token: string;
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Where the button leads, in the customer's language, with one button (opens no portal session) */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /** @example <h1>Betaalgegevens bijwerken</h1><p>Je gaat naar de beveiligde pagina van onze betaalprovider …</p> */
                        "text/html": string;
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                410: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                502: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                503: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        put?: never;
        /** The button of the payment-method page: 303 to a new Stripe billing-portal session (its URL is never logged) */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    /**
                     * @example {
                     *       "token": "eyJwIjoiY2FuY2VsIiwicyI6IjVkMGM4ZjJhIiwiZSI6MTc3NTAwMDAwMH0.Q2hhbmdlZEJ5TGlua1NpZ25pbmdTZWNyZXQ"
                     *     }
                     */
                    "application/json": {
                        token: string;
                    };
                };
            };
            responses: {
                /** @description On to the billing portal */
                303: {
                    headers: {
                        /** @description a Stripe billing-portal session */
                        location?: string;
                        [name: string]: unknown;
                    };
                    content?: never;
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                410: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                502: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                503: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/metrics": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Prometheus metrics: process, recur_http_requests_total, recur_http_request_duration_seconds, recur_webhook_deliveries_total (Authorization: Bearer METRICS_TOKEN; 404 while it is unset) */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Prometheus' text format */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example # HELP recur_http_requests_total HTTP requests answered
                         *     # TYPE recur_http_requests_total counter
                         *     recur_http_requests_total{method="GET",route="/v1/customers/:id/entitlement",status="200"} 1842
                         */
                        "text/plain": string;
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                500: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/readyz": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The database is reachable and migrated */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description The database answers and has every migration */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "status": "ready",
                         *       "schema_version": 27
                         *     }
                         */
                        "application/json": {
                            schema_version: number;
                            /** @enum {string} */
                            status: "ready";
                        };
                    };
                };
                /** @description Default Response */
                503: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/api-keys": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List API keys, newest first, revoked ones included unless status says otherwise (never the keys) */
        get: {
            parameters: {
                query?: {
                    /** @description only items created at or after this time (ISO 8601) */
                    "created[gte]"?: string;
                    /** @description only items created at or before this time (ISO 8601) */
                    "created[lte]"?: string;
                    /** @description items per page, 1 to 100 */
                    limit?: number;
                    /** @description the previous page's next_cursor (the id of its last item) */
                    starting_after?: string;
                    status?: "active" | "revoked";
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description The keys, newest first, never the keys themselves */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "data": [
                         *         {
                         *           "id": "3f9a1c52-7b4e-4d08-a6e1-0c2b9d7f5e43",
                         *           "name": "webshop backend",
                         *           "key_prefix": "rk_live_8Hq2",
                         *           "scope": "admin",
                         *           "created_at": "2026-03-01T09:12:44.000Z",
                         *           "last_used_at": "2026-03-02T14:05:10.000Z",
                         *           "revoked_at": null
                         *         }
                         *       ],
                         *       "has_more": false,
                         *       "next_cursor": null
                         *     }
                         */
                        "application/json": {
                            data: {
                                /** Format: date-time */
                                created_at: string;
                                /** Format: uuid */
                                id: string;
                                /** @description the first characters of the key, to recognise it */
                                key_prefix: string;
                                /** @description updated at most once a minute */
                                last_used_at: string | null;
                                name: string;
                                revoked_at: string | null;
                                /**
                                 * @description read: entitlement, customers, subscriptions and plans, read only; admin: everything
                                 * @enum {string}
                                 */
                                scope: "read" | "admin";
                            }[];
                            /** @description whether another page follows */
                            has_more: boolean;
                            /** @description pass as starting_after for the next page; null on the last page */
                            next_cursor: string | null;
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        put?: never;
        /** Create an API key (admin unless scope says read); the key is in this answer only (audit-logged) */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    /**
                     * @example {
                     *       "name": "webshop frontend",
                     *       "scope": "read"
                     *     }
                     */
                    "application/json": {
                        /** @description what the key is for, e.g. "webshop backend" */
                        name: string;
                        /**
                         * @description read: for a shop's frontend servers (entitlement, customers, subscriptions, plans; GET only); admin (the default): everything
                         * @default admin
                         * @enum {string}
                         */
                        scope?: "read" | "admin";
                    };
                };
            };
            responses: {
                /** @description The new key, shown in this answer only */
                201: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "id": "3f9a1c52-7b4e-4d08-a6e1-0c2b9d7f5e43",
                         *       "name": "webshop frontend",
                         *       "key_prefix": "rk_live_8Hq2",
                         *       "scope": "read",
                         *       "created_at": "2026-03-01T09:12:44.000Z",
                         *       "last_used_at": null,
                         *       "revoked_at": null,
                         *       "key": "rk_live_8Hq2xV4mT9pL1cN7bR3sW6yZ0aE5dF8g"
                         *     }
                         */
                        "application/json": {
                            /** Format: date-time */
                            created_at: string;
                            /** Format: uuid */
                            id: string;
                            /** @description the key itself: shown in this answer only, store it as a secret */
                            key: string;
                            /** @description the first characters of the key, to recognise it */
                            key_prefix: string;
                            /** @description updated at most once a minute */
                            last_used_at: string | null;
                            name: string;
                            revoked_at: string | null;
                            /**
                             * @description read: entitlement, customers, subscriptions and plans, read only; admin: everything
                             * @enum {string}
                             */
                            scope: "read" | "admin";
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/api-keys/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /** Revoke an API key, also the one making the request (audit-logged); 404 when no active key has this id */
        delete: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description The revoked key */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "id": "3f9a1c52-7b4e-4d08-a6e1-0c2b9d7f5e43",
                         *       "name": "webshop backend",
                         *       "key_prefix": "rk_live_8Hq2",
                         *       "scope": "admin",
                         *       "created_at": "2026-03-01T09:12:44.000Z",
                         *       "last_used_at": "2026-03-02T14:05:10.000Z",
                         *       "revoked_at": "2026-03-03T08:00:00.000Z"
                         *     }
                         */
                        "application/json": {
                            /** Format: date-time */
                            created_at: string;
                            /** Format: uuid */
                            id: string;
                            /** @description the first characters of the key, to recognise it */
                            key_prefix: string;
                            /** @description updated at most once a minute */
                            last_used_at: string | null;
                            name: string;
                            revoked_at: string | null;
                            /**
                             * @description read: entitlement, customers, subscriptions and plans, read only; admin: everything
                             * @enum {string}
                             */
                            scope: "read" | "admin";
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/checkout": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Start a hosted checkout for a customer and plan (303 to it for browsers); 409 while the customer has a live subscription */
        post: {
            parameters: {
                query?: never;
                header?: {
                    /** @description Optional, 1–255 printable ASCII characters, per API key. The first answer (any status below 500) is kept for IDEMPOTENCY_KEY_TTL_HOURS (24 h) and a retry with the same key and the same request gets it again, with `Idempotent-Replayed: true`, without the work being done again. The same key with another method, path or body: 422 idempotency_key_reused; while the first request is still at work: 409 idempotency_key_in_use with Retry-After. */
                    "idempotency-key"?: string;
                };
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    /**
                     * @example {
                     *       "customer": "shop-1042",
                     *       "plan": "monthly",
                     *       "provider": "stripe",
                     *       "return_url": "https://www.sportwinkel.example/account"
                     *     }
                     */
                    "application/json": {
                        customer: string;
                        /**
                         * @description one_time: prepaid time without auto-renew (Checkout in payment mode), paid once
                         * @enum {string}
                         */
                        mode?: "subscription" | "one_time";
                        /** @description with mode one_time: how many of the plan's periods (months or years) to prepay, default 1; the end must fall within 730 days */
                        periods?: number;
                        plan: string;
                        /** @enum {string} */
                        provider: "stripe" | "paypal";
                        /** Format: uri */
                        return_url: string;
                    };
                };
            };
            responses: {
                /** @description The hosted checkout to send the customer to (the plan's trial, the customer's locale) */
                201: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "url": "https://checkout.stripe.com/c/pay/cs_test_a1Xb2Yc3Zd4We5Vf6Ug7Th8Si9",
                         *       "session_id": "cs_test_a1Xb2Yc3Zd4We5Vf6Ug7Th8Si9",
                         *       "terms": {
                         *         "plan": "monthly",
                         *         "price": {
                         *           "amount_minor": 2999,
                         *           "currency": "EUR"
                         *         },
                         *         "interval": "month",
                         *         "trial_days": 30,
                         *         "trial_refused": null,
                         *         "due_today": {
                         *           "amount_minor": 0,
                         *           "currency": "EUR"
                         *         }
                         *       }
                         *     }
                         */
                        "application/json": {
                            session_id: string;
                            /** @description what the customer gets, as the hosted page also says */
                            terms: {
                                /** @description charged when the checkout is paid, before any promotion code; one-time: the price times the periods */
                                due_today: {
                                    amount_minor: number;
                                    currency: string;
                                };
                                /** @enum {string} */
                                interval: "month" | "year";
                                /** @description one-time only: the periods prepaid */
                                periods?: number;
                                plan: string;
                                /**
                                 * Format: date-time
                                 * @description one-time only: where the prepaid time starts (the end of running prepaid time, else now); recorded from the payment
                                 */
                                prepaid_from?: string;
                                /**
                                 * Format: date-time
                                 * @description one-time only: when the prepaid time ends; no renewal follows unless auto-renew is turned on
                                 */
                                prepaid_until?: string;
                                price: {
                                    amount_minor: number;
                                    currency: string;
                                };
                                /** @description the free trial this checkout grants: the plan's, or 0 */
                                trial_days: number;
                                /** @description why the plan's trial was not granted: the customer had a trial, a paid subscription or prepaid time before (trial_once_per_customer) */
                                trial_refused: ({
                                    /** @enum {string} */
                                    reason: "trial_used";
                                    subscription_id: string;
                                } | {
                                    prepaid_period_id: string;
                                    /** @enum {string} */
                                    reason: "prepaid_before";
                                }) | null;
                            };
                            url: string;
                        };
                    };
                };
                /** @description For Accept: text/html, the same checkout as a redirect */
                303: {
                    headers: {
                        /** @description the hosted checkout page */
                        location?: string;
                        [name: string]: unknown;
                    };
                    content?: never;
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                502: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                503: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/customers": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Create a customer */
        post: {
            parameters: {
                query?: never;
                header?: {
                    /** @description Optional, 1–255 printable ASCII characters, per API key. The first answer (any status below 500) is kept for IDEMPOTENCY_KEY_TTL_HOURS (24 h) and a retry with the same key and the same request gets it again, with `Idempotent-Replayed: true`, without the work being done again. The same key with another method, path or body: 422 idempotency_key_reused; while the first request is still at work: 409 idempotency_key_in_use with Retry-After. */
                    "idempotency-key"?: string;
                };
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    /**
                     * @example {
                     *       "external_id": "shop-1042",
                     *       "email": "sanne.bakker@example.nl",
                     *       "name": "Sanne Bakker",
                     *       "phone": "+31612345678",
                     *       "locale": "nl",
                     *       "time_zone": "Europe/Amsterdam",
                     *       "sms_consent": true
                     *     }
                     */
                    "application/json": {
                        /** Format: email */
                        email: string;
                        external_id: string;
                        /** @enum {string} */
                        locale?: "nl" | "en";
                        name?: string;
                        phone?: string;
                        /** @description true records consent to SMS now; false records its withdrawal now */
                        sms_consent?: boolean;
                        time_zone?: string;
                    };
                };
            };
            responses: {
                /** @description The customer as recorded */
                201: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "id": "0b6f3c1e-5a7d-4e2b-9c41-7d2f8a6e3b10",
                         *       "external_id": "shop-1042",
                         *       "email": "sanne.bakker@example.nl",
                         *       "name": "Sanne Bakker",
                         *       "phone": "+31612345678",
                         *       "locale": "nl",
                         *       "banned": false,
                         *       "banned_reason": null,
                         *       "banned_at": null,
                         *       "time_zone": "Europe/Amsterdam",
                         *       "sms_consent": true,
                         *       "sms_consent_at": "2026-03-01T10:00:00.000Z",
                         *       "created_at": "2026-03-01T10:00:00.000Z",
                         *       "updated_at": "2026-03-01T10:00:00.000Z"
                         *     }
                         */
                        "application/json": {
                            banned: boolean;
                            banned_at: string | null;
                            banned_reason: string | null;
                            /** Format: date-time */
                            created_at: string;
                            email: string;
                            external_id: string;
                            /** Format: uuid */
                            id: string;
                            /** @enum {string} */
                            locale: "nl" | "en";
                            name: string | null;
                            phone: string | null;
                            /** @description whether SMS may be sent: consent recorded after the last withdrawal (a STOP withdraws it) */
                            sms_consent: boolean;
                            sms_consent_at: string | null;
                            /** @description IANA zone for dates in notices and SMS quiet hours; null: the configured default */
                            time_zone: string | null;
                            /** Format: date-time */
                            updated_at: string;
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/customers/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Read a customer by the shop's id */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description The customer */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "id": "0b6f3c1e-5a7d-4e2b-9c41-7d2f8a6e3b10",
                         *       "external_id": "shop-1042",
                         *       "email": "sanne.bakker@example.nl",
                         *       "name": "Sanne Bakker",
                         *       "phone": "+31612345678",
                         *       "locale": "nl",
                         *       "banned": false,
                         *       "banned_reason": null,
                         *       "banned_at": null,
                         *       "time_zone": "Europe/Amsterdam",
                         *       "sms_consent": true,
                         *       "sms_consent_at": "2026-03-01T10:00:00.000Z",
                         *       "created_at": "2026-03-01T10:00:00.000Z",
                         *       "updated_at": "2026-03-01T10:00:00.000Z"
                         *     }
                         */
                        "application/json": {
                            banned: boolean;
                            banned_at: string | null;
                            banned_reason: string | null;
                            /** Format: date-time */
                            created_at: string;
                            email: string;
                            external_id: string;
                            /** Format: uuid */
                            id: string;
                            /** @enum {string} */
                            locale: "nl" | "en";
                            name: string | null;
                            phone: string | null;
                            /** @description whether SMS may be sent: consent recorded after the last withdrawal (a STOP withdraws it) */
                            sms_consent: boolean;
                            sms_consent_at: string | null;
                            /** @description IANA zone for dates in notices and SMS quiet hours; null: the configured default */
                            time_zone: string | null;
                            /** Format: date-time */
                            updated_at: string;
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        /** Change contact details, locale, time zone or SMS consent, or ban / unban (a ban needs banned_reason) */
        patch: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    /**
                     * @example {
                     *       "phone": "+31687654321",
                     *       "sms_consent": false
                     *     }
                     */
                    "application/json": {
                        banned?: boolean;
                        banned_reason?: string;
                        /** Format: email */
                        email?: string;
                        /** @enum {string} */
                        locale?: "nl" | "en";
                        name?: string | null;
                        phone?: string | null;
                        /** @description true records consent to SMS now; false records its withdrawal now */
                        sms_consent?: boolean;
                        /** @description null clears it */
                        time_zone?: string | null;
                    };
                };
            };
            responses: {
                /** @description The customer after the change */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "id": "0b6f3c1e-5a7d-4e2b-9c41-7d2f8a6e3b10",
                         *       "external_id": "shop-1042",
                         *       "email": "sanne.bakker@example.nl",
                         *       "name": "Sanne Bakker",
                         *       "phone": "+31687654321",
                         *       "locale": "nl",
                         *       "banned": false,
                         *       "banned_reason": null,
                         *       "banned_at": null,
                         *       "time_zone": "Europe/Amsterdam",
                         *       "sms_consent": false,
                         *       "sms_consent_at": "2026-03-01T10:00:00.000Z",
                         *       "created_at": "2026-03-01T10:00:00.000Z",
                         *       "updated_at": "2026-03-14T09:30:00.000Z"
                         *     }
                         */
                        "application/json": {
                            banned: boolean;
                            banned_at: string | null;
                            banned_reason: string | null;
                            /** Format: date-time */
                            created_at: string;
                            email: string;
                            external_id: string;
                            /** Format: uuid */
                            id: string;
                            /** @enum {string} */
                            locale: "nl" | "en";
                            name: string | null;
                            phone: string | null;
                            /** @description whether SMS may be sent: consent recorded after the last withdrawal (a STOP withdraws it) */
                            sms_consent: boolean;
                            sms_consent_at: string | null;
                            /** @description IANA zone for dates in notices and SMS quiet hours; null: the configured default */
                            time_zone: string | null;
                            /** Format: date-time */
                            updated_at: string;
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        trace?: never;
    };
    "/v1/customers/{id}/auto-renew": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Enable auto-renew for a customer who paid until a date: a subscription whose trial runs until then (a checkout when no card is on file) */
        post: {
            parameters: {
                query?: never;
                header?: {
                    /** @description Optional, 1–255 printable ASCII characters, per API key. The first answer (any status below 500) is kept for IDEMPOTENCY_KEY_TTL_HOURS (24 h) and a retry with the same key and the same request gets it again, with `Idempotent-Replayed: true`, without the work being done again. The same key with another method, path or body: 422 idempotency_key_reused; while the first request is still at work: 409 idempotency_key_in_use with Retry-After. */
                    "idempotency-key"?: string;
                };
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    /**
                     * @example {
                     *       "plan": "yearly",
                     *       "paid_until": "2026-09-01T00:00:00.000Z",
                     *       "return_url": "https://www.sportwinkel.example/account"
                     *     }
                     */
                    "application/json": {
                        /**
                         * Format: date-time
                         * @description the end of the time the customer already paid for; the first charge falls here. Omitted: the end of the customer's running prepaid time (a one-time checkout), 422 no_prepaid_period when none runs
                         */
                        paid_until?: string;
                        plan: string;
                        /**
                         * @description where the subscription is made; default: the provider of the customer's latest prepaid purchase, else stripe. At PayPal it starts at paid_until (PayPal bills its first cycle then)
                         * @enum {string}
                         */
                        provider?: "stripe" | "paypal";
                        /**
                         * Format: uri
                         * @description where a checkout returns to, needed when the customer has no default card at Stripe, and always at PayPal (the buyer approves the subscription)
                         */
                        return_url?: string;
                    };
                };
            };
            responses: {
                /** @description A subscription whose trial runs until the paid time ends, or the checkout to open when no card is on file */
                201: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "status": "subscribed",
                         *       "subscription": {
                         *         "id": "5d0c8f2a-1b3e-4c6d-8e9f-a0b1c2d3e4f5",
                         *         "customer": "shop-1042",
                         *         "provider": "stripe",
                         *         "provider_subscription_id": "sub_1QdXyZ2eZvKYlo2C8h5N3kPq",
                         *         "plan": "yearly",
                         *         "status": "trialing",
                         *         "provider_status": "trialing",
                         *         "trial_end": "2026-09-01T00:00:00.000Z",
                         *         "current_period_start": "2026-03-01T10:00:00.000Z",
                         *         "current_period_end": "2026-09-01T00:00:00.000Z",
                         *         "cancel_at_period_end": false,
                         *         "canceled_at": null,
                         *         "signed_up_at": "2026-03-01T10:00:09.000Z",
                         *         "mandate_reference": null,
                         *         "created_at": "2026-03-01T10:00:12.000Z",
                         *         "updated_at": "2026-03-01T10:00:12.000Z"
                         *       }
                         *     }
                         */
                        "application/json": {
                            /** @enum {string} */
                            status: "subscribed";
                            subscription: {
                                cancel_at_period_end: boolean;
                                canceled_at: string | null;
                                /** Format: date-time */
                                created_at: string;
                                current_period_end: string | null;
                                current_period_start: string | null;
                                /** @description the shop's external customer id */
                                customer: string;
                                /** Format: uuid */
                                id: string;
                                /** @description the SEPA mandate its direct debits are taken under (paid by SEPA Direct Debit, or iDEAL/Bancontact then debits); null otherwise or not known yet */
                                mandate_reference: string | null;
                                plan: string;
                                /** @enum {string} */
                                provider: "stripe" | "paypal";
                                provider_status: string;
                                provider_subscription_id: string;
                                /**
                                 * Format: date-time
                                 * @description when the customer took it, by the provider's record (the day the 14-day withdrawal period runs from); `created_at` is when recur first recorded it
                                 */
                                signed_up_at: string;
                                /** @enum {string} */
                                status: "trialing" | "active" | "past_due" | "paused" | "canceled" | "incomplete";
                                trial_end: string | null;
                                /** Format: date-time */
                                updated_at: string;
                            };
                        } | {
                            session_id: string;
                            /** @enum {string} */
                            status: "checkout_required";
                            url: string;
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                422: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                502: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                503: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/customers/{id}/billing-portal": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** A Stripe billing-portal session where the customer updates their card (the URL is not logged) */
        post: {
            parameters: {
                query?: never;
                header?: {
                    /** @description Optional, 1–255 printable ASCII characters, per API key. The first answer (any status below 500) is kept for IDEMPOTENCY_KEY_TTL_HOURS (24 h) and a retry with the same key and the same request gets it again, with `Idempotent-Replayed: true`, without the work being done again. The same key with another method, path or body: 422 idempotency_key_reused; while the first request is still at work: 409 idempotency_key_in_use with Retry-After. */
                    "idempotency-key"?: string;
                };
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    /**
                     * @example {
                     *       "return_url": "https://www.sportwinkel.example/account"
                     *     }
                     */
                    "application/json": {
                        /** Format: uri */
                        return_url: string;
                    };
                };
            };
            responses: {
                /** @description The Stripe billing portal session to send the customer to */
                201: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "url": "https://billing.stripe.com/p/session/test_YWNjdF8xUWRYeVoyZVp2S1lsbzJD"
                         *     }
                         */
                        "application/json": {
                            url: string;
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                502: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                503: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/customers/{id}/entitlement": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** May this customer use the product now? */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Whether the customer may use the product now, why, and until when */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "customer": "shop-1042",
                         *       "entitled": true,
                         *       "reason": "trialing",
                         *       "until": "2026-03-31T10:00:00.000Z",
                         *       "subscription_id": "5d0c8f2a-1b3e-4c6d-8e9f-a0b1c2d3e4f5",
                         *       "checked_at": "2026-03-14T09:30:00.000Z"
                         *     }
                         */
                        "application/json": {
                            /** Format: date-time */
                            checked_at: string;
                            customer: string;
                            entitled: boolean;
                            /**
                             * Format: uuid
                             * @description with reason prepaid: the running prepaid period (a one-time checkout); until is the end of the paid coverage
                             */
                            prepaid_period_id?: string;
                            /** @enum {string} */
                            reason: "trialing" | "active" | "payment_processing" | "past_due_grace" | "prepaid" | "no_subscription" | "canceled" | "past_due_expired" | "paused" | "incomplete" | "trial_expired" | "banned";
                            subscription_id: string | null;
                            /** @description when the access ends unless the subscription renews; null when open-ended or not entitled */
                            until: string | null;
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/customers/{id}/portal-sessions": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** A one-time link into recur's customer portal (overview, cancel, resume), valid one hour; the first visit spends it */
        post: {
            parameters: {
                query?: never;
                header?: {
                    /** @description Optional, 1–255 printable ASCII characters, per API key. The first answer (any status below 500) is kept for IDEMPOTENCY_KEY_TTL_HOURS (24 h) and a retry with the same key and the same request gets it again, with `Idempotent-Replayed: true`, without the work being done again. The same key with another method, path or body: 422 idempotency_key_reused; while the first request is still at work: 409 idempotency_key_in_use with Retry-After. */
                    "idempotency-key"?: string;
                };
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    /**
                     * @example {
                     *       "return_url": "https://www.sportwinkel.example/account",
                     *       "locale": "nl"
                     *     }
                     */
                    "application/json": {
                        /**
                         * @description the portal's language; default: the customer's locale
                         * @enum {string}
                         */
                        locale?: "nl" | "en";
                        /**
                         * Format: uri
                         * @description where "back to the shop" leads on every portal page
                         */
                        return_url: string;
                    };
                };
            };
            responses: {
                /** @description The link to send the browser to */
                201: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "url": "https://billing.sportwinkel.example/portal/enter?token=0cLq2Yv8m3kX1cWb9n4PzR7tJ5hA6sD2fG8kL0qW3eE",
                         *       "expires_at": "2026-04-15T13:00:00.000Z"
                         *     }
                         */
                        "application/json": {
                            /**
                             * Format: date-time
                             * @description after this the link opens nothing (one hour)
                             */
                            expires_at: string;
                            /** @description send the customer's browser here; it works once, for one browser session */
                            url: string;
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/customers/{id}/prepaid-periods": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The prepaid periods a customer bought with one-time checkouts, and until when the prepaid time runs */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Prepaid periods, oldest first */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "data": [
                         *         {
                         *           "id": "7a1e2b3c-4d5e-4f60-8a9b-0c1d2e3f4a5b",
                         *           "provider": "stripe",
                         *           "provider_payment_id": "pi_3QfA1b2C3d4E5f6G",
                         *           "plan": "monthly",
                         *           "interval": "month",
                         *           "periods": 12,
                         *           "starts_at": "2026-03-14T09:30:00.000Z",
                         *           "ends_at": "2027-03-14T09:30:00.000Z",
                         *           "amount": {
                         *             "amount_minor": 35988,
                         *             "currency": "EUR"
                         *           },
                         *           "payment_status": "succeeded",
                         *           "created_at": "2026-03-14T09:30:05.000Z"
                         *         }
                         *       ],
                         *       "has_more": false,
                         *       "next_cursor": null,
                         *       "paid_until": "2027-03-14T09:30:00.000Z"
                         *     }
                         */
                        "application/json": {
                            data: {
                                amount: {
                                    amount_minor: number;
                                    currency: string;
                                };
                                /** Format: date-time */
                                created_at: string;
                                /** Format: date-time */
                                ends_at: string;
                                /** Format: uuid */
                                id: string;
                                /** @enum {string} */
                                interval: "month" | "year";
                                /**
                                 * @description a refunded period gives no time
                                 * @enum {string}
                                 */
                                payment_status: "pending" | "processing" | "succeeded" | "failed" | "refunded" | "partially_refunded" | "disputed";
                                periods: number;
                                plan: string;
                                /** @enum {string} */
                                provider: "stripe" | "paypal";
                                provider_payment_id: string;
                                /** Format: date-time */
                                starts_at: string;
                            }[];
                            /** @description whether another page follows */
                            has_more: boolean;
                            /** @description pass as starting_after for the next page; null on the last page */
                            next_cursor: string | null;
                            /** @description where the prepaid time running now ends (the default paid_until of auto-renew); null when none runs */
                            paid_until: string | null;
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/notifications": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List notices (e-mail and SMS), newest first, without their content; recipients masked */
        get: {
            parameters: {
                query?: {
                    channel?: "email" | "sms";
                    /** @description only items created at or after this time (ISO 8601) */
                    "created[gte]"?: string;
                    /** @description only items created at or before this time (ISO 8601) */
                    "created[lte]"?: string;
                    customer?: string;
                    /** @description items per page, 1 to 100 */
                    limit?: number;
                    /** @description the previous page's next_cursor (the id of its last item) */
                    starting_after?: string;
                    status?: "pending" | "sending" | "sent" | "delivered" | "failed" | "bounced" | "dead" | "suppressed" | "canceled";
                    template?: string;
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Notices, newest first, addresses masked */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "data": [
                         *         {
                         *           "id": "c4a1e2f3-5b6c-4d7e-8f90-a1b2c3d4e5f6",
                         *           "business_key": "trial-reminder:5d0c8f2a-1b3e-4c6d-8e9f-a0b1c2d3e4f5:2026-03-31T10:00:00.000Z",
                         *           "customer": "shop-1042",
                         *           "subscription_id": "5d0c8f2a-1b3e-4c6d-8e9f-a0b1c2d3e4f5",
                         *           "channel": "email",
                         *           "template": "trial-reminder",
                         *           "recipient": "s***@example.nl",
                         *           "locale": "nl",
                         *           "status": "delivered",
                         *           "attempts": 1,
                         *           "last_error": null,
                         *           "error_code": null,
                         *           "delivery_status": "delivered",
                         *           "delivery_detail": null,
                         *           "provider_message_id": "W2nRzXo8Q7mE1bT0cVgKfA",
                         *           "due_at": "2026-03-24T10:00:00.000Z",
                         *           "sent_at": "2026-03-24T10:00:02.000Z",
                         *           "created_at": "2026-03-24T10:00:00.000Z",
                         *           "updated_at": "2026-03-24T10:00:09.000Z"
                         *         }
                         *       ],
                         *       "has_more": false,
                         *       "next_cursor": null
                         *     }
                         */
                        "application/json": {
                            data: {
                                attempts: number;
                                /** @description one decision to notify, one key (addresses in it masked) */
                                business_key: string;
                                /** @enum {string} */
                                channel: "email" | "sms";
                                /** Format: date-time */
                                created_at: string;
                                /** @description the shop's external customer id; null for admin notices */
                                customer: string | null;
                                delivery_detail: string | null;
                                /** @description the provider's last delivery report (delivered, bounce, undelivered, ...) */
                                delivery_status: string | null;
                                /** Format: date-time */
                                due_at: string;
                                /** @description the provider's code of a permanent failure (21610, invalid address, ...) */
                                error_code: string | null;
                                /** Format: uuid */
                                id: string;
                                last_error: string | null;
                                /** @enum {string} */
                                locale: "nl" | "en";
                                provider_message_id: string | null;
                                /** @description masked; the full address is in the customer resource */
                                recipient: string;
                                sent_at: string | null;
                                /** @enum {string} */
                                status: "pending" | "sending" | "sent" | "delivered" | "failed" | "bounced" | "dead" | "suppressed" | "canceled";
                                subscription_id: string | null;
                                template: string;
                                /** Format: date-time */
                                updated_at: string;
                            }[];
                            /** @description whether another page follows */
                            has_more: boolean;
                            /** @description pass as starting_after for the next page; null on the last page */
                            next_cursor: string | null;
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/notifications/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Read one notice: its status, attempts and delivery report */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description The notice */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "id": "c4a1e2f3-5b6c-4d7e-8f90-a1b2c3d4e5f6",
                         *       "business_key": "trial-reminder:5d0c8f2a-1b3e-4c6d-8e9f-a0b1c2d3e4f5:2026-03-31T10:00:00.000Z",
                         *       "customer": "shop-1042",
                         *       "subscription_id": "5d0c8f2a-1b3e-4c6d-8e9f-a0b1c2d3e4f5",
                         *       "channel": "email",
                         *       "template": "trial-reminder",
                         *       "recipient": "s***@example.nl",
                         *       "locale": "nl",
                         *       "status": "delivered",
                         *       "attempts": 1,
                         *       "last_error": null,
                         *       "error_code": null,
                         *       "delivery_status": "delivered",
                         *       "delivery_detail": null,
                         *       "provider_message_id": "W2nRzXo8Q7mE1bT0cVgKfA",
                         *       "due_at": "2026-03-24T10:00:00.000Z",
                         *       "sent_at": "2026-03-24T10:00:02.000Z",
                         *       "created_at": "2026-03-24T10:00:00.000Z",
                         *       "updated_at": "2026-03-24T10:00:09.000Z"
                         *     }
                         */
                        "application/json": {
                            attempts: number;
                            /** @description one decision to notify, one key (addresses in it masked) */
                            business_key: string;
                            /** @enum {string} */
                            channel: "email" | "sms";
                            /** Format: date-time */
                            created_at: string;
                            /** @description the shop's external customer id; null for admin notices */
                            customer: string | null;
                            delivery_detail: string | null;
                            /** @description the provider's last delivery report (delivered, bounce, undelivered, ...) */
                            delivery_status: string | null;
                            /** Format: date-time */
                            due_at: string;
                            /** @description the provider's code of a permanent failure (21610, invalid address, ...) */
                            error_code: string | null;
                            /** Format: uuid */
                            id: string;
                            last_error: string | null;
                            /** @enum {string} */
                            locale: "nl" | "en";
                            provider_message_id: string | null;
                            /** @description masked; the full address is in the customer resource */
                            recipient: string;
                            sent_at: string | null;
                            /** @enum {string} */
                            status: "pending" | "sending" | "sent" | "delivered" | "failed" | "bounced" | "dead" | "suppressed" | "canceled";
                            subscription_id: string | null;
                            template: string;
                            /** Format: date-time */
                            updated_at: string;
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/notifications/{id}/retry": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Send a dead or failed notice again: pending, due now, attempts reset (audit-logged) */
        post: {
            parameters: {
                query?: never;
                header?: {
                    /** @description Optional, 1–255 printable ASCII characters, per API key. The first answer (any status below 500) is kept for IDEMPOTENCY_KEY_TTL_HOURS (24 h) and a retry with the same key and the same request gets it again, with `Idempotent-Replayed: true`, without the work being done again. The same key with another method, path or body: 422 idempotency_key_reused; while the first request is still at work: 409 idempotency_key_in_use with Retry-After. */
                    "idempotency-key"?: string;
                };
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    /** @example {} */
                    "application/json": Record<string, never> | null;
                };
            };
            responses: {
                /** @description The notice, due again now */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "id": "c4a1e2f3-5b6c-4d7e-8f90-a1b2c3d4e5f6",
                         *       "business_key": "trial-reminder:5d0c8f2a-1b3e-4c6d-8e9f-a0b1c2d3e4f5:2026-03-31T10:00:00.000Z",
                         *       "customer": "shop-1042",
                         *       "subscription_id": "5d0c8f2a-1b3e-4c6d-8e9f-a0b1c2d3e4f5",
                         *       "channel": "email",
                         *       "template": "trial-reminder",
                         *       "recipient": "s***@example.nl",
                         *       "locale": "nl",
                         *       "status": "pending",
                         *       "attempts": 0,
                         *       "last_error": null,
                         *       "error_code": null,
                         *       "delivery_status": null,
                         *       "delivery_detail": null,
                         *       "provider_message_id": "W2nRzXo8Q7mE1bT0cVgKfA",
                         *       "due_at": "2026-03-24T10:00:00.000Z",
                         *       "sent_at": null,
                         *       "created_at": "2026-03-24T10:00:00.000Z",
                         *       "updated_at": "2026-03-24T10:00:09.000Z"
                         *     }
                         */
                        "application/json": {
                            attempts: number;
                            /** @description one decision to notify, one key (addresses in it masked) */
                            business_key: string;
                            /** @enum {string} */
                            channel: "email" | "sms";
                            /** Format: date-time */
                            created_at: string;
                            /** @description the shop's external customer id; null for admin notices */
                            customer: string | null;
                            delivery_detail: string | null;
                            /** @description the provider's last delivery report (delivered, bounce, undelivered, ...) */
                            delivery_status: string | null;
                            /** Format: date-time */
                            due_at: string;
                            /** @description the provider's code of a permanent failure (21610, invalid address, ...) */
                            error_code: string | null;
                            /** Format: uuid */
                            id: string;
                            last_error: string | null;
                            /** @enum {string} */
                            locale: "nl" | "en";
                            provider_message_id: string | null;
                            /** @description masked; the full address is in the customer resource */
                            recipient: string;
                            sent_at: string | null;
                            /** @enum {string} */
                            status: "pending" | "sending" | "sent" | "delivered" | "failed" | "bounced" | "dead" | "suppressed" | "canceled";
                            subscription_id: string | null;
                            template: string;
                            /** Format: date-time */
                            updated_at: string;
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/payments": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List payments, newest first, all or a customer's or a subscription's, by status and creation time */
        get: {
            parameters: {
                query?: {
                    /** @description only items created at or after this time (ISO 8601) */
                    "created[gte]"?: string;
                    /** @description only items created at or before this time (ISO 8601) */
                    "created[lte]"?: string;
                    /** @description only this customer's (the shop's id) */
                    customer?: string;
                    /** @description related objects to include whole instead of their id: customer, subscription (repeat the parameter for more than one) */
                    expand?: ("customer" | "subscription") | ("customer" | "subscription")[];
                    /** @description items per page, 1 to 100 */
                    limit?: number;
                    /** @description the previous page's next_cursor (the id of its last item) */
                    starting_after?: string;
                    status?: "pending" | "processing" | "succeeded" | "failed" | "refunded" | "partially_refunded" | "disputed";
                    subscription_id?: string;
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Payments, newest first (created: when recur recorded them) */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "data": [
                         *         {
                         *           "id": "9c2d4e6f-8a0b-4c1d-9e2f-3a4b5c6d7e8f",
                         *           "customer": "shop-1042",
                         *           "subscription_id": "5d0c8f2a-1b3e-4c6d-8e9f-a0b1c2d3e4f5",
                         *           "provider": "stripe",
                         *           "provider_payment_id": "pi_3QfA1b2C3d4E5f6G",
                         *           "kind": "subscription",
                         *           "amount": {
                         *             "amount_minor": 2999,
                         *             "currency": "EUR"
                         *           },
                         *           "amount_refunded": {
                         *             "amount_minor": 0,
                         *             "currency": "EUR"
                         *           },
                         *           "status": "succeeded",
                         *           "method_summary": "visa •••• 4242",
                         *           "method_type": "card",
                         *           "mandate_reference": null,
                         *           "invoice_at": "2026-03-31T10:00:00.000Z",
                         *           "created_at": "2026-03-31T10:00:04.000Z",
                         *           "updated_at": "2026-03-31T10:00:04.000Z",
                         *           "refunds": []
                         *         }
                         *       ],
                         *       "has_more": false,
                         *       "next_cursor": null
                         *     }
                         */
                        "application/json": {
                            data: {
                                amount: {
                                    amount_minor: number;
                                    currency: string;
                                };
                                amount_refunded: {
                                    amount_minor: number;
                                    currency: string;
                                };
                                /** Format: date-time */
                                created_at: string;
                                /** @description the shop's external customer id; with expand=customer, the customer */
                                customer: string | {
                                    banned: boolean;
                                    banned_at: string | null;
                                    banned_reason: string | null;
                                    /** Format: date-time */
                                    created_at: string;
                                    email: string;
                                    external_id: string;
                                    /** Format: uuid */
                                    id: string;
                                    /** @enum {string} */
                                    locale: "nl" | "en";
                                    name: string | null;
                                    phone: string | null;
                                    /** @description whether SMS may be sent: consent recorded after the last withdrawal (a STOP withdraws it) */
                                    sms_consent: boolean;
                                    sms_consent_at: string | null;
                                    /** @description IANA zone for dates in notices and SMS quiet hours; null: the configured default */
                                    time_zone: string | null;
                                    /** Format: date-time */
                                    updated_at: string;
                                };
                                /** Format: uuid */
                                id: string;
                                /** @description the time of the invoice or charge at the provider */
                                invoice_at: string | null;
                                /** @enum {string} */
                                kind: "one_time" | "subscription";
                                /** @description a SEPA debit: the mandate it was taken under; iDEAL or Bancontact: the mandate it set up for the debits to come */
                                mandate_reference: string | null;
                                /** @description e.g. "visa •••• 4242" */
                                method_summary: string | null;
                                /** @description the provider's kind of payment method: card, sepa_debit, ideal, bancontact, paypal, ... */
                                method_type: string | null;
                                /** @enum {string} */
                                provider: "stripe" | "paypal";
                                provider_payment_id: string;
                                /** @description the refunds of the payment, oldest first: those recur asked for and, for Stripe, those made at the provider (amount_refunded is what the provider has refunded) */
                                refunds: {
                                    /** @description who asked for it: `api_key:{id}`, `admin:{username}`, `portal:{external id}` (a withdrawal), or `provider` (made at the provider, e.g. in its dashboard) */
                                    actor: string;
                                    amount: {
                                        amount_minor: number;
                                        currency: string;
                                    };
                                    /** Format: date-time */
                                    created_at: string;
                                    /** @description what the provider said when it refused, or why the refund failed later (Stripe: `failure_reason`) */
                                    failure: string | null;
                                    /** Format: uuid */
                                    id: string;
                                    /** Format: uuid */
                                    payment_id: string;
                                    /** @enum {string} */
                                    provider: "stripe" | "paypal";
                                    provider_refund_id: string | null;
                                    reason: string;
                                    /**
                                     * @description pending until the provider says the money went back (or that it did not: failed); a succeeded refund can still turn failed when the provider reports that later
                                     * @enum {string}
                                     */
                                    status: "pending" | "succeeded" | "failed";
                                    /** Format: date-time */
                                    updated_at: string;
                                }[];
                                /** @enum {string} */
                                status: "pending" | "processing" | "succeeded" | "failed" | "refunded" | "partially_refunded" | "disputed";
                                /** @description with expand=subscription: the subscription it paid for (null for a one-time payment); absent without */
                                subscription?: {
                                    cancel_at_period_end: boolean;
                                    canceled_at: string | null;
                                    /** Format: date-time */
                                    created_at: string;
                                    current_period_end: string | null;
                                    current_period_start: string | null;
                                    /** @description the shop's external customer id */
                                    customer: string;
                                    /** Format: uuid */
                                    id: string;
                                    /** @description the SEPA mandate its direct debits are taken under (paid by SEPA Direct Debit, or iDEAL/Bancontact then debits); null otherwise or not known yet */
                                    mandate_reference: string | null;
                                    plan: string;
                                    /** @enum {string} */
                                    provider: "stripe" | "paypal";
                                    provider_status: string;
                                    provider_subscription_id: string;
                                    /**
                                     * Format: date-time
                                     * @description when the customer took it, by the provider's record (the day the 14-day withdrawal period runs from); `created_at` is when recur first recorded it
                                     */
                                    signed_up_at: string;
                                    /** @enum {string} */
                                    status: "trialing" | "active" | "past_due" | "paused" | "canceled" | "incomplete";
                                    trial_end: string | null;
                                    /** Format: date-time */
                                    updated_at: string;
                                } | null;
                                /** @description null for a one-time (prepaid) payment */
                                subscription_id: string | null;
                                /** Format: date-time */
                                updated_at: string;
                            }[];
                            /** @description whether another page follows */
                            has_more: boolean;
                            /** @description pass as starting_after for the next page; null on the last page */
                            next_cursor: string | null;
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/payments/{id}/refunds": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Refund all or part of a payment at its provider (never more than is left to refund) */
        post: {
            parameters: {
                query?: never;
                header?: {
                    /** @description Optional, 1–255 printable ASCII characters, per API key. The first answer (any status below 500) is kept for IDEMPOTENCY_KEY_TTL_HOURS (24 h) and a retry with the same key and the same request gets it again, with `Idempotent-Replayed: true`, without the work being done again. The same key with another method, path or body: 422 idempotency_key_reused; while the first request is still at work: 409 idempotency_key_in_use with Retry-After. */
                    "idempotency-key"?: string;
                };
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    /**
                     * @example {
                     *       "amount": {
                     *         "amount_minor": 1000,
                     *         "currency": "EUR"
                     *       },
                     *       "reason": "Goodwill: the parcel arrived late"
                     *     }
                     */
                    "application/json": {
                        /** @description what to refund, in the payment's currency; absent: all that is left */
                        amount?: {
                            amount_minor: number;
                            currency: string;
                        };
                        /** @description why, in words; kept with the refund and in the audit log */
                        reason: string;
                    };
                };
            };
            responses: {
                /** @description The refund as the provider answered it (status pending until the money went back), and the payment after it */
                201: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "refund": {
                         *         "id": "4e1f2a3b-5c6d-4e7f-8a9b-0c1d2e3f4a5b",
                         *         "payment_id": "9c2d4e6f-8a0b-4c1d-9e2f-3a4b5c6d7e8f",
                         *         "provider": "stripe",
                         *         "amount": {
                         *           "amount_minor": 1000,
                         *           "currency": "EUR"
                         *         },
                         *         "reason": "Goodwill: the parcel arrived late",
                         *         "actor": "api_key:7",
                         *         "status": "succeeded",
                         *         "provider_refund_id": "re_3QfA1b2C3d4E5f6G",
                         *         "failure": null,
                         *         "created_at": "2026-04-02T09:12:00.000Z",
                         *         "updated_at": "2026-04-02T09:12:01.000Z"
                         *       },
                         *       "payment": {
                         *         "id": "9c2d4e6f-8a0b-4c1d-9e2f-3a4b5c6d7e8f",
                         *         "customer": "shop-1042",
                         *         "subscription_id": "5d0c8f2a-1b3e-4c6d-8e9f-a0b1c2d3e4f5",
                         *         "provider": "stripe",
                         *         "provider_payment_id": "pi_3QfA1b2C3d4E5f6G",
                         *         "kind": "subscription",
                         *         "amount": {
                         *           "amount_minor": 2999,
                         *           "currency": "EUR"
                         *         },
                         *         "amount_refunded": {
                         *           "amount_minor": 1000,
                         *           "currency": "EUR"
                         *         },
                         *         "status": "partially_refunded",
                         *         "method_summary": "visa •••• 4242",
                         *         "method_type": "card",
                         *         "mandate_reference": null,
                         *         "invoice_at": "2026-03-31T10:00:00.000Z",
                         *         "created_at": "2026-03-31T10:00:04.000Z",
                         *         "updated_at": "2026-03-31T10:00:04.000Z",
                         *         "refunds": [
                         *           {
                         *             "id": "4e1f2a3b-5c6d-4e7f-8a9b-0c1d2e3f4a5b",
                         *             "payment_id": "9c2d4e6f-8a0b-4c1d-9e2f-3a4b5c6d7e8f",
                         *             "provider": "stripe",
                         *             "amount": {
                         *               "amount_minor": 1000,
                         *               "currency": "EUR"
                         *             },
                         *             "reason": "Goodwill: the parcel arrived late",
                         *             "actor": "api_key:7",
                         *             "status": "succeeded",
                         *             "provider_refund_id": "re_3QfA1b2C3d4E5f6G",
                         *             "failure": null,
                         *             "created_at": "2026-04-02T09:12:00.000Z",
                         *             "updated_at": "2026-04-02T09:12:01.000Z"
                         *           }
                         *         ]
                         *       }
                         *     }
                         */
                        "application/json": {
                            payment: {
                                amount: {
                                    amount_minor: number;
                                    currency: string;
                                };
                                amount_refunded: {
                                    amount_minor: number;
                                    currency: string;
                                };
                                /** Format: date-time */
                                created_at: string;
                                /** @description the shop's external customer id */
                                customer: string;
                                /** Format: uuid */
                                id: string;
                                /** @description the time of the invoice or charge at the provider */
                                invoice_at: string | null;
                                /** @enum {string} */
                                kind: "one_time" | "subscription";
                                /** @description a SEPA debit: the mandate it was taken under; iDEAL or Bancontact: the mandate it set up for the debits to come */
                                mandate_reference: string | null;
                                /** @description e.g. "visa •••• 4242" */
                                method_summary: string | null;
                                /** @description the provider's kind of payment method: card, sepa_debit, ideal, bancontact, paypal, ... */
                                method_type: string | null;
                                /** @enum {string} */
                                provider: "stripe" | "paypal";
                                provider_payment_id: string;
                                /** @description the refunds of the payment, oldest first: those recur asked for and, for Stripe, those made at the provider (amount_refunded is what the provider has refunded) */
                                refunds: {
                                    /** @description who asked for it: `api_key:{id}`, `admin:{username}`, `portal:{external id}` (a withdrawal), or `provider` (made at the provider, e.g. in its dashboard) */
                                    actor: string;
                                    amount: {
                                        amount_minor: number;
                                        currency: string;
                                    };
                                    /** Format: date-time */
                                    created_at: string;
                                    /** @description what the provider said when it refused, or why the refund failed later (Stripe: `failure_reason`) */
                                    failure: string | null;
                                    /** Format: uuid */
                                    id: string;
                                    /** Format: uuid */
                                    payment_id: string;
                                    /** @enum {string} */
                                    provider: "stripe" | "paypal";
                                    provider_refund_id: string | null;
                                    reason: string;
                                    /**
                                     * @description pending until the provider says the money went back (or that it did not: failed); a succeeded refund can still turn failed when the provider reports that later
                                     * @enum {string}
                                     */
                                    status: "pending" | "succeeded" | "failed";
                                    /** Format: date-time */
                                    updated_at: string;
                                }[];
                                /** @enum {string} */
                                status: "pending" | "processing" | "succeeded" | "failed" | "refunded" | "partially_refunded" | "disputed";
                                /** @description null for a one-time (prepaid) payment */
                                subscription_id: string | null;
                                /** Format: date-time */
                                updated_at: string;
                            };
                            refund: {
                                /** @description who asked for it: `api_key:{id}`, `admin:{username}`, `portal:{external id}` (a withdrawal), or `provider` (made at the provider, e.g. in its dashboard) */
                                actor: string;
                                amount: {
                                    amount_minor: number;
                                    currency: string;
                                };
                                /** Format: date-time */
                                created_at: string;
                                /** @description what the provider said when it refused, or why the refund failed later (Stripe: `failure_reason`) */
                                failure: string | null;
                                /** Format: uuid */
                                id: string;
                                /** Format: uuid */
                                payment_id: string;
                                /** @enum {string} */
                                provider: "stripe" | "paypal";
                                provider_refund_id: string | null;
                                reason: string;
                                /**
                                 * @description pending until the provider says the money went back (or that it did not: failed); a succeeded refund can still turn failed when the provider reports that later
                                 * @enum {string}
                                 */
                                status: "pending" | "succeeded" | "failed";
                                /** Format: date-time */
                                updated_at: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                502: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                503: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/plans": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The plan catalogue, whole (it comes from configuration: one page, never more) */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Every plan, with what a yearly plan saves against the monthly one */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "data": [
                         *         {
                         *           "id": "monthly",
                         *           "name": "Maandelijks",
                         *           "names": {
                         *             "nl": "Maandelijks",
                         *             "en": "Monthly"
                         *           },
                         *           "interval": "month",
                         *           "price": {
                         *             "amount_minor": 2999,
                         *             "currency": "EUR"
                         *           },
                         *           "trial_days": 30,
                         *           "trial_once_per_customer": true,
                         *           "provider_price_ids": {
                         *             "stripe": "price_1QdXbC2eZvKYlo2CmT4hW8aB",
                         *             "paypal": null
                         *           },
                         *           "payment_methods": [
                         *             "card",
                         *             "ideal",
                         *             "sepa_debit"
                         *           ],
                         *           "saving_versus_monthly": null
                         *         },
                         *         {
                         *           "id": "yearly",
                         *           "name": "Jaarlijks",
                         *           "names": {
                         *             "nl": "Jaarlijks",
                         *             "en": "Yearly"
                         *           },
                         *           "interval": "year",
                         *           "price": {
                         *             "amount_minor": 29990,
                         *             "currency": "EUR"
                         *           },
                         *           "trial_days": 30,
                         *           "trial_once_per_customer": true,
                         *           "provider_price_ids": {
                         *             "stripe": "price_1QdXbD2eZvKYlo2C0Jk7sQ3v",
                         *             "paypal": null
                         *           },
                         *           "payment_methods": [
                         *             "card",
                         *             "ideal",
                         *             "sepa_debit"
                         *           ],
                         *           "saving_versus_monthly": {
                         *             "amount": {
                         *               "amount_minor": 5998,
                         *               "currency": "EUR"
                         *             },
                         *             "percent": 16,
                         *             "months_free": 2
                         *           }
                         *         }
                         *       ],
                         *       "has_more": false,
                         *       "next_cursor": null
                         *     }
                         */
                        "application/json": {
                            data: {
                                id: string;
                                /** @enum {string} */
                                interval: "month" | "year";
                                /** @description the plan's name in the service's DEFAULT_LOCALE */
                                name: string;
                                /** @description the name as customers of each locale read it in notices and pages */
                                names: {
                                    en: string;
                                    nl: string;
                                };
                                /** @description how customers can pay it at a checkout that offers a choice (Stripe Checkout) */
                                payment_methods: ("card" | "ideal" | "bancontact" | "sepa_debit")[];
                                price: {
                                    amount_minor: number;
                                    currency: string;
                                };
                                provider_price_ids: {
                                    paypal: string | null;
                                    stripe: string | null;
                                };
                                saving_versus_monthly: {
                                    amount: {
                                        amount_minor: number;
                                        currency: string;
                                    };
                                    months_free: number;
                                    percent: number;
                                } | null;
                                trial_days: number;
                                /** @description the free trial is only for a customer's first subscription: one who had a trial or paid subscription before checks out without it */
                                trial_once_per_customer: boolean;
                            }[];
                            /** @description whether another page follows */
                            has_more: boolean;
                            /** @description pass as starting_after for the next page; null on the last page */
                            next_cursor: string | null;
                        };
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/reconciliation/runs": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List reconciliation runs, newest first, with their counts per kind (created: when the run started) */
        get: {
            parameters: {
                query?: {
                    /** @description only items created at or after this time (ISO 8601) */
                    "created[gte]"?: string;
                    /** @description only items created at or before this time (ISO 8601) */
                    "created[lte]"?: string;
                    /** @description items per page, 1 to 100 */
                    limit?: number;
                    provider?: "stripe" | "paypal";
                    /** @description the previous page's next_cursor (the id of its last item) */
                    starting_after?: string;
                    status?: "running" | "succeeded" | "failed" | "abandoned";
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Reconciliation runs, newest first */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "data": [
                         *         {
                         *           "id": "7e3f1a2b-9c8d-4e5f-a6b7-c8d9e0f1a2b3",
                         *           "provider": "stripe",
                         *           "trigger": "schedule",
                         *           "status": "succeeded",
                         *           "counts": {
                         *             "stale_status": 1
                         *           },
                         *           "requests": 14,
                         *           "error": null,
                         *           "started_at": "2026-04-01T08:00:00.000Z",
                         *           "finished_at": "2026-04-01T08:00:03.000Z"
                         *         }
                         *       ],
                         *       "has_more": false,
                         *       "next_cursor": null
                         *     }
                         */
                        "application/json": {
                            data: {
                                /** @description items found, per kind */
                                counts: {
                                    [key: string]: number;
                                };
                                error: string | null;
                                finished_at: string | null;
                                /** Format: uuid */
                                id: string;
                                /** @enum {string} */
                                provider: "stripe" | "paypal";
                                /** @description requests sent to the provider */
                                requests: number;
                                /** Format: date-time */
                                started_at: string;
                                /** @enum {string} */
                                status: "running" | "succeeded" | "failed" | "abandoned";
                                /**
                                 * @description `schedule`: the reconcile job; `cli`: `recur sync`; `dashboard`: an admin on the dashboard
                                 * @enum {string}
                                 */
                                trigger: "schedule" | "cli" | "dashboard";
                            }[];
                            /** @description whether another page follows */
                            has_more: boolean;
                            /** @description pass as starting_after for the next page; null on the last page */
                            next_cursor: string | null;
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/reconciliation/runs/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One reconciliation run with its drift report: every item found and what was done about it */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description The run and what it found, item by item */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "id": "7e3f1a2b-9c8d-4e5f-a6b7-c8d9e0f1a2b3",
                         *       "provider": "stripe",
                         *       "trigger": "schedule",
                         *       "status": "succeeded",
                         *       "counts": {
                         *         "stale_status": 1
                         *       },
                         *       "requests": 14,
                         *       "error": null,
                         *       "started_at": "2026-04-01T08:00:00.000Z",
                         *       "finished_at": "2026-04-01T08:00:03.000Z",
                         *       "items": [
                         *         {
                         *           "id": 31,
                         *           "kind": "stale_status",
                         *           "provider_object_id": "sub_1QdXyZ2eZvKYlo2C8h5N3kPq",
                         *           "recur_id": "5d0c8f2a-1b3e-4c6d-8e9f-a0b1c2d3e4f5",
                         *           "found": {
                         *             "recur": {
                         *               "status": "trialing"
                         *             },
                         *             "provider": {
                         *               "status": "active"
                         *             }
                         *           },
                         *           "action": "repaired: status trialing -> active",
                         *           "created_at": "2026-04-01T08:00:02.000Z"
                         *         }
                         *       ]
                         *     }
                         */
                        "application/json": {
                            /** @description items found, per kind */
                            counts: {
                                [key: string]: number;
                            };
                            error: string | null;
                            finished_at: string | null;
                            /** Format: uuid */
                            id: string;
                            items: {
                                /** @description what the run did about it */
                                action: string;
                                /** Format: date-time */
                                created_at: string;
                                /** @description what was found: recur's and the provider's values */
                                found: unknown;
                                id: number;
                                /** @enum {string} */
                                kind: "missing_locally" | "missing_at_provider" | "stale_status" | "stale_period" | "stale_plan" | "stale_cancel_flag" | "email_mismatch" | "several_live_subscriptions" | "not_recorded" | "event_recovered" | "stale_past_due_since" | "missing_payment" | "stale_payment";
                                provider_object_id: string;
                                recur_id: string | null;
                            }[];
                            /** @enum {string} */
                            provider: "stripe" | "paypal";
                            /** @description requests sent to the provider */
                            requests: number;
                            /** Format: date-time */
                            started_at: string;
                            /** @enum {string} */
                            status: "running" | "succeeded" | "failed" | "abandoned";
                            /**
                             * @description `schedule`: the reconcile job; `cli`: `recur sync`; `dashboard`: an admin on the dashboard
                             * @enum {string}
                             */
                            trigger: "schedule" | "cli" | "dashboard";
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/reconciliation/runs/{id}/items": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A run's drift report a page at a time, newest first, by kind */
        get: {
            parameters: {
                query?: {
                    /** @description only items created at or after this time (ISO 8601) */
                    "created[gte]"?: string;
                    /** @description only items created at or before this time (ISO 8601) */
                    "created[lte]"?: string;
                    kind?: "missing_locally" | "missing_at_provider" | "stale_status" | "stale_period" | "stale_plan" | "stale_cancel_flag" | "email_mismatch" | "several_live_subscriptions" | "not_recorded" | "event_recovered" | "stale_past_due_since" | "missing_payment" | "stale_payment";
                    /** @description items per page, 1 to 100 */
                    limit?: number;
                    /** @description the previous page's next_cursor (the id of its last item) */
                    starting_after?: number;
                };
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description The run's items, newest first */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "data": [
                         *         {
                         *           "id": 31,
                         *           "kind": "stale_status",
                         *           "provider_object_id": "sub_1QdXyZ2eZvKYlo2C8h5N3kPq",
                         *           "recur_id": "5d0c8f2a-1b3e-4c6d-8e9f-a0b1c2d3e4f5",
                         *           "found": {
                         *             "recur": {
                         *               "status": "trialing"
                         *             },
                         *             "provider": {
                         *               "status": "active"
                         *             }
                         *           },
                         *           "action": "repaired: status trialing -> active",
                         *           "created_at": "2026-04-01T08:00:02.000Z"
                         *         }
                         *       ],
                         *       "has_more": false,
                         *       "next_cursor": null
                         *     }
                         */
                        "application/json": {
                            data: {
                                /** @description what the run did about it */
                                action: string;
                                /** Format: date-time */
                                created_at: string;
                                /** @description what was found: recur's and the provider's values */
                                found: unknown;
                                id: number;
                                /** @enum {string} */
                                kind: "missing_locally" | "missing_at_provider" | "stale_status" | "stale_period" | "stale_plan" | "stale_cancel_flag" | "email_mismatch" | "several_live_subscriptions" | "not_recorded" | "event_recovered" | "stale_past_due_since" | "missing_payment" | "stale_payment";
                                provider_object_id: string;
                                recur_id: string | null;
                            }[];
                            /** @description whether another page follows */
                            has_more: boolean;
                            /** @description pass as starting_after for the next page; null on the last page */
                            next_cursor: number | null;
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/subscriptions": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List subscriptions, newest first, all or a customer's, by status and creation time */
        get: {
            parameters: {
                query?: {
                    /** @description only items created at or after this time (ISO 8601) */
                    "created[gte]"?: string;
                    /** @description only items created at or before this time (ISO 8601) */
                    "created[lte]"?: string;
                    /** @description only this customer's (the shop's id) */
                    customer?: string;
                    /** @description related objects to include whole instead of their id: customer (repeat the parameter for more than one) */
                    expand?: "customer" | "customer"[];
                    /** @description items per page, 1 to 100 */
                    limit?: number;
                    /** @description the previous page's next_cursor (the id of its last item) */
                    starting_after?: string;
                    status?: "trialing" | "active" | "past_due" | "paused" | "canceled" | "incomplete";
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Subscriptions, newest first */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "data": [
                         *         {
                         *           "id": "5d0c8f2a-1b3e-4c6d-8e9f-a0b1c2d3e4f5",
                         *           "customer": "shop-1042",
                         *           "provider": "stripe",
                         *           "provider_subscription_id": "sub_1QdXyZ2eZvKYlo2C8h5N3kPq",
                         *           "plan": "monthly",
                         *           "status": "trialing",
                         *           "provider_status": "trialing",
                         *           "trial_end": "2026-03-31T10:00:00.000Z",
                         *           "current_period_start": "2026-03-01T10:00:00.000Z",
                         *           "current_period_end": "2026-03-31T10:00:00.000Z",
                         *           "cancel_at_period_end": false,
                         *           "canceled_at": null,
                         *           "signed_up_at": "2026-03-01T10:00:09.000Z",
                         *           "mandate_reference": null,
                         *           "created_at": "2026-03-01T10:00:12.000Z",
                         *           "updated_at": "2026-03-01T10:00:12.000Z"
                         *         }
                         *       ],
                         *       "has_more": false,
                         *       "next_cursor": null
                         *     }
                         */
                        "application/json": {
                            data: {
                                cancel_at_period_end: boolean;
                                canceled_at: string | null;
                                /** Format: date-time */
                                created_at: string;
                                current_period_end: string | null;
                                current_period_start: string | null;
                                /** @description the shop's external customer id; with expand=customer, the customer */
                                customer: string | {
                                    banned: boolean;
                                    banned_at: string | null;
                                    banned_reason: string | null;
                                    /** Format: date-time */
                                    created_at: string;
                                    email: string;
                                    external_id: string;
                                    /** Format: uuid */
                                    id: string;
                                    /** @enum {string} */
                                    locale: "nl" | "en";
                                    name: string | null;
                                    phone: string | null;
                                    /** @description whether SMS may be sent: consent recorded after the last withdrawal (a STOP withdraws it) */
                                    sms_consent: boolean;
                                    sms_consent_at: string | null;
                                    /** @description IANA zone for dates in notices and SMS quiet hours; null: the configured default */
                                    time_zone: string | null;
                                    /** Format: date-time */
                                    updated_at: string;
                                };
                                /** Format: uuid */
                                id: string;
                                /** @description the SEPA mandate its direct debits are taken under (paid by SEPA Direct Debit, or iDEAL/Bancontact then debits); null otherwise or not known yet */
                                mandate_reference: string | null;
                                plan: string;
                                /** @enum {string} */
                                provider: "stripe" | "paypal";
                                provider_status: string;
                                provider_subscription_id: string;
                                /**
                                 * Format: date-time
                                 * @description when the customer took it, by the provider's record (the day the 14-day withdrawal period runs from); `created_at` is when recur first recorded it
                                 */
                                signed_up_at: string;
                                /** @enum {string} */
                                status: "trialing" | "active" | "past_due" | "paused" | "canceled" | "incomplete";
                                trial_end: string | null;
                                /** Format: date-time */
                                updated_at: string;
                            }[];
                            /** @description whether another page follows */
                            has_more: boolean;
                            /** @description pass as starting_after for the next page; null on the last page */
                            next_cursor: string | null;
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/subscriptions/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Read one subscription by its recur id */
        get: {
            parameters: {
                query?: {
                    /** @description related objects to include whole instead of their id: customer (repeat the parameter for more than one) */
                    expand?: "customer" | "customer"[];
                };
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description The subscription */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "id": "5d0c8f2a-1b3e-4c6d-8e9f-a0b1c2d3e4f5",
                         *       "customer": "shop-1042",
                         *       "provider": "stripe",
                         *       "provider_subscription_id": "sub_1QdXyZ2eZvKYlo2C8h5N3kPq",
                         *       "plan": "monthly",
                         *       "status": "trialing",
                         *       "provider_status": "trialing",
                         *       "trial_end": "2026-03-31T10:00:00.000Z",
                         *       "current_period_start": "2026-03-01T10:00:00.000Z",
                         *       "current_period_end": "2026-03-31T10:00:00.000Z",
                         *       "cancel_at_period_end": false,
                         *       "canceled_at": null,
                         *       "signed_up_at": "2026-03-01T10:00:09.000Z",
                         *       "mandate_reference": null,
                         *       "created_at": "2026-03-01T10:00:12.000Z",
                         *       "updated_at": "2026-03-01T10:00:12.000Z"
                         *     }
                         */
                        "application/json": {
                            cancel_at_period_end: boolean;
                            canceled_at: string | null;
                            /** Format: date-time */
                            created_at: string;
                            current_period_end: string | null;
                            current_period_start: string | null;
                            /** @description the shop's external customer id; with expand=customer, the customer */
                            customer: string | {
                                banned: boolean;
                                banned_at: string | null;
                                banned_reason: string | null;
                                /** Format: date-time */
                                created_at: string;
                                email: string;
                                external_id: string;
                                /** Format: uuid */
                                id: string;
                                /** @enum {string} */
                                locale: "nl" | "en";
                                name: string | null;
                                phone: string | null;
                                /** @description whether SMS may be sent: consent recorded after the last withdrawal (a STOP withdraws it) */
                                sms_consent: boolean;
                                sms_consent_at: string | null;
                                /** @description IANA zone for dates in notices and SMS quiet hours; null: the configured default */
                                time_zone: string | null;
                                /** Format: date-time */
                                updated_at: string;
                            };
                            /** Format: uuid */
                            id: string;
                            /** @description the SEPA mandate its direct debits are taken under (paid by SEPA Direct Debit, or iDEAL/Bancontact then debits); null otherwise or not known yet */
                            mandate_reference: string | null;
                            plan: string;
                            /** @enum {string} */
                            provider: "stripe" | "paypal";
                            provider_status: string;
                            provider_subscription_id: string;
                            /**
                             * Format: date-time
                             * @description when the customer took it, by the provider's record (the day the 14-day withdrawal period runs from); `created_at` is when recur first recorded it
                             */
                            signed_up_at: string;
                            /** @enum {string} */
                            status: "trialing" | "active" | "past_due" | "paused" | "canceled" | "incomplete";
                            trial_end: string | null;
                            /** Format: date-time */
                            updated_at: string;
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/subscriptions/{id}/cancel": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Cancel at the end of the paid period (default) or now */
        post: {
            parameters: {
                query?: never;
                header?: {
                    /** @description Optional, 1–255 printable ASCII characters, per API key. The first answer (any status below 500) is kept for IDEMPOTENCY_KEY_TTL_HOURS (24 h) and a retry with the same key and the same request gets it again, with `Idempotent-Replayed: true`, without the work being done again. The same key with another method, path or body: 422 idempotency_key_reused; while the first request is still at work: 409 idempotency_key_in_use with Retry-After. */
                    "idempotency-key"?: string;
                };
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    /**
                     * @example {
                     *       "at": "period_end"
                     *     }
                     */
                    "application/json": {
                        /**
                         * @description default period_end
                         * @enum {string}
                         */
                        at?: "period_end" | "now";
                    } | null;
                };
            };
            responses: {
                /** @description The subscription, set to cancel (or canceled) */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "id": "5d0c8f2a-1b3e-4c6d-8e9f-a0b1c2d3e4f5",
                         *       "customer": "shop-1042",
                         *       "provider": "stripe",
                         *       "provider_subscription_id": "sub_1QdXyZ2eZvKYlo2C8h5N3kPq",
                         *       "plan": "monthly",
                         *       "status": "active",
                         *       "provider_status": "active",
                         *       "trial_end": "2026-03-31T10:00:00.000Z",
                         *       "current_period_start": "2026-03-01T10:00:00.000Z",
                         *       "current_period_end": "2026-03-31T10:00:00.000Z",
                         *       "cancel_at_period_end": true,
                         *       "canceled_at": null,
                         *       "signed_up_at": "2026-03-01T10:00:09.000Z",
                         *       "mandate_reference": null,
                         *       "created_at": "2026-03-01T10:00:12.000Z",
                         *       "updated_at": "2026-03-01T10:00:12.000Z"
                         *     }
                         */
                        "application/json": {
                            cancel_at_period_end: boolean;
                            canceled_at: string | null;
                            /** Format: date-time */
                            created_at: string;
                            current_period_end: string | null;
                            current_period_start: string | null;
                            /** @description the shop's external customer id */
                            customer: string;
                            /** Format: uuid */
                            id: string;
                            /** @description the SEPA mandate its direct debits are taken under (paid by SEPA Direct Debit, or iDEAL/Bancontact then debits); null otherwise or not known yet */
                            mandate_reference: string | null;
                            plan: string;
                            /** @enum {string} */
                            provider: "stripe" | "paypal";
                            provider_status: string;
                            provider_subscription_id: string;
                            /**
                             * Format: date-time
                             * @description when the customer took it, by the provider's record (the day the 14-day withdrawal period runs from); `created_at` is when recur first recorded it
                             */
                            signed_up_at: string;
                            /** @enum {string} */
                            status: "trialing" | "active" | "past_due" | "paused" | "canceled" | "incomplete";
                            trial_end: string | null;
                            /** Format: date-time */
                            updated_at: string;
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                502: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                503: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/subscriptions/{id}/resume": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Undo a pending cancel at period end, or resume a paused subscription */
        post: {
            parameters: {
                query?: never;
                header?: {
                    /** @description Optional, 1–255 printable ASCII characters, per API key. The first answer (any status below 500) is kept for IDEMPOTENCY_KEY_TTL_HOURS (24 h) and a retry with the same key and the same request gets it again, with `Idempotent-Replayed: true`, without the work being done again. The same key with another method, path or body: 422 idempotency_key_reused; while the first request is still at work: 409 idempotency_key_in_use with Retry-After. */
                    "idempotency-key"?: string;
                };
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    /** @example {} */
                    "application/json": Record<string, never> | null;
                };
            };
            responses: {
                /** @description The subscription, renewing again */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "id": "5d0c8f2a-1b3e-4c6d-8e9f-a0b1c2d3e4f5",
                         *       "customer": "shop-1042",
                         *       "provider": "stripe",
                         *       "provider_subscription_id": "sub_1QdXyZ2eZvKYlo2C8h5N3kPq",
                         *       "plan": "monthly",
                         *       "status": "active",
                         *       "provider_status": "active",
                         *       "trial_end": "2026-03-31T10:00:00.000Z",
                         *       "current_period_start": "2026-03-01T10:00:00.000Z",
                         *       "current_period_end": "2026-03-31T10:00:00.000Z",
                         *       "cancel_at_period_end": false,
                         *       "canceled_at": null,
                         *       "signed_up_at": "2026-03-01T10:00:09.000Z",
                         *       "mandate_reference": null,
                         *       "created_at": "2026-03-01T10:00:12.000Z",
                         *       "updated_at": "2026-03-01T10:00:12.000Z"
                         *     }
                         */
                        "application/json": {
                            cancel_at_period_end: boolean;
                            canceled_at: string | null;
                            /** Format: date-time */
                            created_at: string;
                            current_period_end: string | null;
                            current_period_start: string | null;
                            /** @description the shop's external customer id */
                            customer: string;
                            /** Format: uuid */
                            id: string;
                            /** @description the SEPA mandate its direct debits are taken under (paid by SEPA Direct Debit, or iDEAL/Bancontact then debits); null otherwise or not known yet */
                            mandate_reference: string | null;
                            plan: string;
                            /** @enum {string} */
                            provider: "stripe" | "paypal";
                            provider_status: string;
                            provider_subscription_id: string;
                            /**
                             * Format: date-time
                             * @description when the customer took it, by the provider's record (the day the 14-day withdrawal period runs from); `created_at` is when recur first recorded it
                             */
                            signed_up_at: string;
                            /** @enum {string} */
                            status: "trialing" | "active" | "past_due" | "paused" | "canceled" | "incomplete";
                            trial_end: string | null;
                            /** Format: date-time */
                            updated_at: string;
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                502: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                503: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/subscriptions/{id}/switch": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Switch plans (monthly <-> yearly) with proration charged now; with the preview's proration_date the charge equals the preview */
        post: {
            parameters: {
                query?: never;
                header?: {
                    /** @description Optional, 1–255 printable ASCII characters, per API key. The first answer (any status below 500) is kept for IDEMPOTENCY_KEY_TTL_HOURS (24 h) and a retry with the same key and the same request gets it again, with `Idempotent-Replayed: true`, without the work being done again. The same key with another method, path or body: 422 idempotency_key_reused; while the first request is still at work: 409 idempotency_key_in_use with Retry-After. */
                    "idempotency-key"?: string;
                };
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    /**
                     * @example {
                     *       "plan": "yearly",
                     *       "proration_date": "2026-04-15T12:00:00.000Z"
                     *     }
                     */
                    "application/json": {
                        plan: string;
                        /** Format: date-time */
                        proration_date?: string;
                    };
                };
            };
            responses: {
                /** @description The subscription on its new plan, and the invoice of the switch */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "subscription": {
                         *         "id": "5d0c8f2a-1b3e-4c6d-8e9f-a0b1c2d3e4f5",
                         *         "customer": "shop-1042",
                         *         "provider": "stripe",
                         *         "provider_subscription_id": "sub_1QdXyZ2eZvKYlo2C8h5N3kPq",
                         *         "plan": "yearly",
                         *         "status": "active",
                         *         "provider_status": "active",
                         *         "trial_end": null,
                         *         "current_period_start": "2026-04-15T12:00:00.000Z",
                         *         "current_period_end": "2027-04-15T12:00:00.000Z",
                         *         "cancel_at_period_end": false,
                         *         "canceled_at": null,
                         *         "signed_up_at": "2026-03-01T10:00:09.000Z",
                         *         "mandate_reference": null,
                         *         "created_at": "2026-03-01T10:00:12.000Z",
                         *         "updated_at": "2026-03-01T10:00:12.000Z"
                         *       },
                         *       "invoice": {
                         *         "id": "in_1QeA7k2eZvKYlo2CpX3bV9sD",
                         *         "amount_due": {
                         *           "amount_minor": 28491,
                         *           "currency": "EUR"
                         *         },
                         *         "amount_paid": {
                         *           "amount_minor": 28491,
                         *           "currency": "EUR"
                         *         },
                         *         "status": "paid"
                         *       }
                         *     }
                         */
                        "application/json": {
                            /** @description Stripe's invoice of the switch, when it made one */
                            invoice: {
                                amount_due: {
                                    amount_minor: number;
                                    currency: string;
                                };
                                amount_paid: {
                                    amount_minor: number;
                                    currency: string;
                                };
                                id: string;
                                status: string;
                            } | null;
                            subscription: {
                                cancel_at_period_end: boolean;
                                canceled_at: string | null;
                                /** Format: date-time */
                                created_at: string;
                                current_period_end: string | null;
                                current_period_start: string | null;
                                /** @description the shop's external customer id */
                                customer: string;
                                /** Format: uuid */
                                id: string;
                                /** @description the SEPA mandate its direct debits are taken under (paid by SEPA Direct Debit, or iDEAL/Bancontact then debits); null otherwise or not known yet */
                                mandate_reference: string | null;
                                plan: string;
                                /** @enum {string} */
                                provider: "stripe" | "paypal";
                                provider_status: string;
                                provider_subscription_id: string;
                                /**
                                 * Format: date-time
                                 * @description when the customer took it, by the provider's record (the day the 14-day withdrawal period runs from); `created_at` is when recur first recorded it
                                 */
                                signed_up_at: string;
                                /** @enum {string} */
                                status: "trialing" | "active" | "past_due" | "paused" | "canceled" | "incomplete";
                                trial_end: string | null;
                                /** Format: date-time */
                                updated_at: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                502: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                503: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/subscriptions/{id}/switch/preview": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** What switching plans would charge now (prorated), line by line, and the renewal after it; changes nothing */
        post: {
            parameters: {
                query?: never;
                header?: {
                    /** @description Optional, 1–255 printable ASCII characters, per API key. The first answer (any status below 500) is kept for IDEMPOTENCY_KEY_TTL_HOURS (24 h) and a retry with the same key and the same request gets it again, with `Idempotent-Replayed: true`, without the work being done again. The same key with another method, path or body: 422 idempotency_key_reused; while the first request is still at work: 409 idempotency_key_in_use with Retry-After. */
                    "idempotency-key"?: string;
                };
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    /**
                     * @example {
                     *       "plan": "yearly"
                     *     }
                     */
                    "application/json": {
                        plan: string;
                    };
                };
            };
            responses: {
                /** @description What the switch would charge now and the renewal after it */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "subscription": "5d0c8f2a-1b3e-4c6d-8e9f-a0b1c2d3e4f5",
                         *       "from_plan": "monthly",
                         *       "to_plan": "yearly",
                         *       "amount_due": {
                         *         "amount_minor": 28491,
                         *         "currency": "EUR"
                         *       },
                         *       "proration_date": "2026-04-15T12:00:00.000Z",
                         *       "lines": [
                         *         {
                         *           "description": "Unused time on Maandelijks after 2026-04-15",
                         *           "amount_minor": -1499,
                         *           "proration": true,
                         *           "period_start": "2026-04-15T12:00:00.000Z",
                         *           "period_end": "2026-04-30T10:00:00.000Z"
                         *         },
                         *         {
                         *           "description": "Jaarlijks (2026-04-15 – 2027-04-15)",
                         *           "amount_minor": 29990,
                         *           "proration": true,
                         *           "period_start": "2026-04-15T12:00:00.000Z",
                         *           "period_end": "2027-04-15T12:00:00.000Z"
                         *         }
                         *       ],
                         *       "next_renewal": {
                         *         "at": "2027-04-15T12:00:00.000Z",
                         *         "amount_minor": 29990,
                         *         "currency": "EUR"
                         *       },
                         *       "ends_at": null,
                         *       "credit_carried_forward": {
                         *         "amount_minor": 0,
                         *         "currency": "EUR"
                         *       }
                         *     }
                         */
                        "application/json": {
                            /** @description charged by the switch (zero while a trial continues) */
                            amount_due: {
                                amount_minor: number;
                                currency: string;
                            };
                            /** @description what the customer's credit balance holds after the switch, for later invoices */
                            credit_carried_forward: {
                                amount_minor: number;
                                currency: string;
                            };
                            /** @description set to cancel at period end: when it ends after the switch */
                            ends_at: string | null;
                            from_plan: string;
                            lines: {
                                amount_minor: number;
                                description: string;
                                /** Format: date-time */
                                period_end: string;
                                /** Format: date-time */
                                period_start: string;
                                proration: boolean;
                            }[];
                            /** @description when it renews next and what that renewal charges (a trial continues: its end, at the new plan); null when it is set to end instead */
                            next_renewal: {
                                amount_minor: number;
                                /** Format: date-time */
                                at: string;
                                currency: string;
                            } | null;
                            /**
                             * Format: date-time
                             * @description send it with the switch to be charged exactly amount_due
                             */
                            proration_date: string;
                            /** Format: uuid */
                            subscription: string;
                            to_plan: string;
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                502: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                503: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/webhook-deliveries/{id}/retry": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** One more attempt at a succeeded or failed delivery, now (audit-logged) */
        post: {
            parameters: {
                query?: never;
                header?: {
                    /** @description Optional, 1–255 printable ASCII characters, per API key. The first answer (any status below 500) is kept for IDEMPOTENCY_KEY_TTL_HOURS (24 h) and a retry with the same key and the same request gets it again, with `Idempotent-Replayed: true`, without the work being done again. The same key with another method, path or body: 422 idempotency_key_reused; while the first request is still at work: 409 idempotency_key_in_use with Retry-After. */
                    "idempotency-key"?: string;
                };
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    /** @example {} */
                    "application/json": Record<string, never> | null;
                };
            };
            responses: {
                /** @description The delivery, due now */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "id": "2b7e4f6a-9c1d-4e3f-8a5b-6c7d8e9f0a1b",
                         *       "endpoint_id": "7f3c2a10-4b5d-4e6f-8a9b-0c1d2e3f4a5b",
                         *       "event_id": "evt_5f0e8c1a2b3d4e5f6a7b8c9d0e1f2a3b",
                         *       "event_type": "entitlement.changed",
                         *       "origin": "fan-out",
                         *       "status": "pending",
                         *       "attempts": 2,
                         *       "next_attempt_at": "2026-03-01T10:05:00.000Z",
                         *       "last_status_code": 204,
                         *       "last_error": null,
                         *       "created_at": "2026-03-01T10:00:00.000Z",
                         *       "updated_at": "2026-03-01T10:01:03.000Z",
                         *       "attempt_log": [
                         *         {
                         *           "status_code": 503,
                         *           "latency_ms": 41,
                         *           "response_excerpt": "upstream unavailable",
                         *           "error": "HTTP 503",
                         *           "attempted_at": "2026-03-01T10:00:01.000Z"
                         *         },
                         *         {
                         *           "status_code": 204,
                         *           "latency_ms": 12,
                         *           "response_excerpt": "",
                         *           "error": null,
                         *           "attempted_at": "2026-03-01T10:01:03.000Z"
                         *         }
                         *       ]
                         *     }
                         */
                        "application/json": {
                            /** @description oldest first */
                            attempt_log: {
                                /** Format: date-time */
                                attempted_at: string;
                                error: string | null;
                                latency_ms: number;
                                /** @description the first 1000 characters of the answer */
                                response_excerpt: string | null;
                                /** @description null when no answer came (refused target, connection error, timeout) */
                                status_code: number | null;
                            }[];
                            attempts: number;
                            /** Format: date-time */
                            created_at: string;
                            /** Format: uuid */
                            endpoint_id: string;
                            /** @description the webhook-id: the same on every attempt and replay */
                            event_id: string;
                            event_type: string;
                            /** Format: uuid */
                            id: string;
                            last_error: string | null;
                            last_status_code: number | null;
                            next_attempt_at: string | null;
                            /** @enum {string} */
                            origin: "fan-out" | "replay";
                            /** @enum {string} */
                            status: "pending" | "delivering" | "succeeded" | "failed";
                            /** Format: date-time */
                            updated_at: string;
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                503: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/webhook-endpoints": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List endpoints, newest first (never their secrets) */
        get: {
            parameters: {
                query?: {
                    /** @description only items created at or after this time (ISO 8601) */
                    "created[gte]"?: string;
                    /** @description only items created at or before this time (ISO 8601) */
                    "created[lte]"?: string;
                    /** @description items per page, 1 to 100 */
                    limit?: number;
                    /** @description the previous page's next_cursor (the id of its last item) */
                    starting_after?: string;
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Endpoints, newest first */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "data": [
                         *         {
                         *           "id": "7f3c2a10-4b5d-4e6f-8a9b-0c1d2e3f4a5b",
                         *           "url": "https://shop.example/hooks/recur",
                         *           "event_types": [
                         *             "entitlement.changed",
                         *             "payment.failed"
                         *           ],
                         *           "description": "Shop backend",
                         *           "enabled": true,
                         *           "disabled_reason": null,
                         *           "previous_secret_expires_at": null,
                         *           "consecutive_failures": 0,
                         *           "failing_since": null,
                         *           "created_at": "2026-03-01T10:00:00.000Z",
                         *           "updated_at": "2026-03-01T10:00:00.000Z"
                         *         }
                         *       ],
                         *       "has_more": false,
                         *       "next_cursor": null
                         *     }
                         */
                        "application/json": {
                            data: {
                                consecutive_failures: number;
                                /** Format: date-time */
                                created_at: string;
                                description: string | null;
                                /** @description why recur disabled it (deliveries failing for days), or that it was disabled through the API */
                                disabled_reason: string | null;
                                enabled: boolean;
                                /** @description event type names, or ["*"] for all */
                                event_types: string[];
                                failing_since: string | null;
                                /** Format: uuid */
                                id: string;
                                /** @description until then the secret before the last rotation signs too */
                                previous_secret_expires_at: string | null;
                                /** Format: date-time */
                                updated_at: string;
                                url: string;
                            }[];
                            /** @description whether another page follows */
                            has_more: boolean;
                            /** @description pass as starting_after for the next page; null on the last page */
                            next_cursor: string | null;
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        put?: never;
        /** Add an endpoint; its signing secret is in this answer only. Targets on loopback, private or link-local addresses are refused (webhook_target_forbidden) */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    /**
                     * @example {
                     *       "url": "https://shop.example/hooks/recur",
                     *       "event_types": [
                     *         "entitlement.changed",
                     *         "payment.failed"
                     *       ],
                     *       "description": "Shop backend"
                     *     }
                     */
                    "application/json": {
                        description?: string | null;
                        /** @default true */
                        enabled?: boolean;
                        event_types: ("customer.created" | "customer.updated" | "subscription.created" | "subscription.trial_started" | "subscription.activated" | "subscription.renewed" | "subscription.plan_changed" | "subscription.past_due" | "subscription.paused" | "subscription.resumed" | "subscription.cancel_scheduled" | "subscription.canceled" | "payment.succeeded" | "payment.failed" | "payment.refunded" | "payment.disputed" | "entitlement.changed" | "*")[];
                        url: string;
                    };
                };
            };
            responses: {
                /** @description The endpoint, with its secret shown this once */
                201: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "id": "7f3c2a10-4b5d-4e6f-8a9b-0c1d2e3f4a5b",
                         *       "url": "https://shop.example/hooks/recur",
                         *       "event_types": [
                         *         "entitlement.changed",
                         *         "payment.failed"
                         *       ],
                         *       "description": "Shop backend",
                         *       "enabled": true,
                         *       "disabled_reason": null,
                         *       "previous_secret_expires_at": null,
                         *       "consecutive_failures": 0,
                         *       "failing_since": null,
                         *       "created_at": "2026-03-01T10:00:00.000Z",
                         *       "updated_at": "2026-03-01T10:00:00.000Z",
                         *       "secret": "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
                         *     }
                         */
                        "application/json": {
                            consecutive_failures: number;
                            /** Format: date-time */
                            created_at: string;
                            description: string | null;
                            /** @description why recur disabled it (deliveries failing for days), or that it was disabled through the API */
                            disabled_reason: string | null;
                            enabled: boolean;
                            /** @description event type names, or ["*"] for all */
                            event_types: string[];
                            failing_since: string | null;
                            /** Format: uuid */
                            id: string;
                            /** @description until then the secret before the last rotation signs too */
                            previous_secret_expires_at: string | null;
                            /** @description the signing secret (whsec_…): shown in this answer only; verify deliveries with it */
                            secret: string;
                            /** Format: date-time */
                            updated_at: string;
                            url: string;
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                503: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/webhook-endpoints/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Read one endpoint */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description The endpoint */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "id": "7f3c2a10-4b5d-4e6f-8a9b-0c1d2e3f4a5b",
                         *       "url": "https://shop.example/hooks/recur",
                         *       "event_types": [
                         *         "entitlement.changed",
                         *         "payment.failed"
                         *       ],
                         *       "description": "Shop backend",
                         *       "enabled": true,
                         *       "disabled_reason": null,
                         *       "previous_secret_expires_at": null,
                         *       "consecutive_failures": 0,
                         *       "failing_since": null,
                         *       "created_at": "2026-03-01T10:00:00.000Z",
                         *       "updated_at": "2026-03-01T10:00:00.000Z"
                         *     }
                         */
                        "application/json": {
                            consecutive_failures: number;
                            /** Format: date-time */
                            created_at: string;
                            description: string | null;
                            /** @description why recur disabled it (deliveries failing for days), or that it was disabled through the API */
                            disabled_reason: string | null;
                            enabled: boolean;
                            /** @description event type names, or ["*"] for all */
                            event_types: string[];
                            failing_since: string | null;
                            /** Format: uuid */
                            id: string;
                            /** @description until then the secret before the last rotation signs too */
                            previous_secret_expires_at: string | null;
                            /** Format: date-time */
                            updated_at: string;
                            url: string;
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        /** Remove an endpoint and its delivery log (audit-logged) */
        delete: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Removed */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "id": "7f3c2a10-4b5d-4e6f-8a9b-0c1d2e3f4a5b",
                         *       "deleted": true
                         *     }
                         */
                        "application/json": {
                            /** @enum {boolean} */
                            deleted: true;
                            /** Format: uuid */
                            id: string;
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                503: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        options?: never;
        head?: never;
        /** Change the URL, event types, description, or enable/disable (enabling clears the failure run); audit-logged */
        patch: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    /**
                     * @example {
                     *       "enabled": true
                     *     }
                     */
                    "application/json": {
                        description?: string | null;
                        enabled?: boolean;
                        event_types?: ("customer.created" | "customer.updated" | "subscription.created" | "subscription.trial_started" | "subscription.activated" | "subscription.renewed" | "subscription.plan_changed" | "subscription.past_due" | "subscription.paused" | "subscription.resumed" | "subscription.cancel_scheduled" | "subscription.canceled" | "payment.succeeded" | "payment.failed" | "payment.refunded" | "payment.disputed" | "entitlement.changed" | "*")[];
                        url?: string;
                    };
                };
            };
            responses: {
                /** @description The endpoint as changed */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "id": "7f3c2a10-4b5d-4e6f-8a9b-0c1d2e3f4a5b",
                         *       "url": "https://shop.example/hooks/recur",
                         *       "event_types": [
                         *         "entitlement.changed",
                         *         "payment.failed"
                         *       ],
                         *       "description": "Shop backend",
                         *       "enabled": true,
                         *       "disabled_reason": null,
                         *       "previous_secret_expires_at": null,
                         *       "consecutive_failures": 0,
                         *       "failing_since": null,
                         *       "created_at": "2026-03-01T10:00:00.000Z",
                         *       "updated_at": "2026-03-01T10:00:00.000Z"
                         *     }
                         */
                        "application/json": {
                            consecutive_failures: number;
                            /** Format: date-time */
                            created_at: string;
                            description: string | null;
                            /** @description why recur disabled it (deliveries failing for days), or that it was disabled through the API */
                            disabled_reason: string | null;
                            enabled: boolean;
                            /** @description event type names, or ["*"] for all */
                            event_types: string[];
                            failing_since: string | null;
                            /** Format: uuid */
                            id: string;
                            /** @description until then the secret before the last rotation signs too */
                            previous_secret_expires_at: string | null;
                            /** Format: date-time */
                            updated_at: string;
                            url: string;
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                503: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        trace?: never;
    };
    "/v1/webhook-endpoints/{id}/deliveries": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The endpoint's delivery log, newest first, each delivery with its attempts (status code, latency, an excerpt of the answer) */
        get: {
            parameters: {
                query?: {
                    /** @description only items created at or after this time (ISO 8601) */
                    "created[gte]"?: string;
                    /** @description only items created at or before this time (ISO 8601) */
                    "created[lte]"?: string;
                    /** @description items per page, 1 to 100 */
                    limit?: number;
                    /** @description the previous page's next_cursor (the id of its last item) */
                    starting_after?: string;
                };
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Deliveries, newest first */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "data": [
                         *         {
                         *           "id": "2b7e4f6a-9c1d-4e3f-8a5b-6c7d8e9f0a1b",
                         *           "endpoint_id": "7f3c2a10-4b5d-4e6f-8a9b-0c1d2e3f4a5b",
                         *           "event_id": "evt_5f0e8c1a2b3d4e5f6a7b8c9d0e1f2a3b",
                         *           "event_type": "entitlement.changed",
                         *           "origin": "fan-out",
                         *           "status": "succeeded",
                         *           "attempts": 2,
                         *           "next_attempt_at": null,
                         *           "last_status_code": 204,
                         *           "last_error": null,
                         *           "created_at": "2026-03-01T10:00:00.000Z",
                         *           "updated_at": "2026-03-01T10:01:03.000Z",
                         *           "attempt_log": [
                         *             {
                         *               "status_code": 503,
                         *               "latency_ms": 41,
                         *               "response_excerpt": "upstream unavailable",
                         *               "error": "HTTP 503",
                         *               "attempted_at": "2026-03-01T10:00:01.000Z"
                         *             },
                         *             {
                         *               "status_code": 204,
                         *               "latency_ms": 12,
                         *               "response_excerpt": "",
                         *               "error": null,
                         *               "attempted_at": "2026-03-01T10:01:03.000Z"
                         *             }
                         *           ]
                         *         }
                         *       ],
                         *       "has_more": false,
                         *       "next_cursor": null
                         *     }
                         */
                        "application/json": {
                            data: {
                                /** @description oldest first */
                                attempt_log: {
                                    /** Format: date-time */
                                    attempted_at: string;
                                    error: string | null;
                                    latency_ms: number;
                                    /** @description the first 1000 characters of the answer */
                                    response_excerpt: string | null;
                                    /** @description null when no answer came (refused target, connection error, timeout) */
                                    status_code: number | null;
                                }[];
                                attempts: number;
                                /** Format: date-time */
                                created_at: string;
                                /** Format: uuid */
                                endpoint_id: string;
                                /** @description the webhook-id: the same on every attempt and replay */
                                event_id: string;
                                event_type: string;
                                /** Format: uuid */
                                id: string;
                                last_error: string | null;
                                last_status_code: number | null;
                                next_attempt_at: string | null;
                                /** @enum {string} */
                                origin: "fan-out" | "replay";
                                /** @enum {string} */
                                status: "pending" | "delivering" | "succeeded" | "failed";
                                /** Format: date-time */
                                updated_at: string;
                            }[];
                            /** @description whether another page follows */
                            has_more: boolean;
                            /** @description pass as starting_after for the next page; null on the last page */
                            next_cursor: string | null;
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/webhook-endpoints/{id}/replay": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Deliver again every event of the endpoint's types recorded since a time (new deliveries, same webhook-id per event); audit-logged */
        post: {
            parameters: {
                query?: never;
                header?: {
                    /** @description Optional, 1–255 printable ASCII characters, per API key. The first answer (any status below 500) is kept for IDEMPOTENCY_KEY_TTL_HOURS (24 h) and a retry with the same key and the same request gets it again, with `Idempotent-Replayed: true`, without the work being done again. The same key with another method, path or body: 422 idempotency_key_reused; while the first request is still at work: 409 idempotency_key_in_use with Retry-After. */
                    "idempotency-key"?: string;
                };
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    /**
                     * @example {
                     *       "since": "2026-03-01T00:00:00Z"
                     *     }
                     */
                    "application/json": {
                        /**
                         * Format: date-time
                         * @description events recorded at or after this time are delivered again
                         */
                        since: string;
                    };
                };
            };
            responses: {
                /** @description How many deliveries were queued */
                202: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "queued": 42
                         *     }
                         */
                        "application/json": {
                            queued: number;
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                503: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/webhook-endpoints/{id}/rotate-secret": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** A new signing secret (in this answer only); the old one keeps signing for overlap_hours (WEBHOOK_SECRET_OVERLAP_HOURS), both signatures sent meanwhile */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    /**
                     * @example {
                     *       "overlap_hours": 24
                     *     }
                     */
                    "application/json": {
                        overlap_hours?: number;
                    } | null;
                };
            };
            responses: {
                /** @description The endpoint with its new secret, shown this once */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "id": "7f3c2a10-4b5d-4e6f-8a9b-0c1d2e3f4a5b",
                         *       "url": "https://shop.example/hooks/recur",
                         *       "event_types": [
                         *         "entitlement.changed",
                         *         "payment.failed"
                         *       ],
                         *       "description": "Shop backend",
                         *       "enabled": true,
                         *       "disabled_reason": null,
                         *       "previous_secret_expires_at": "2026-03-02T10:00:00.000Z",
                         *       "consecutive_failures": 0,
                         *       "failing_since": null,
                         *       "created_at": "2026-03-01T10:00:00.000Z",
                         *       "updated_at": "2026-03-01T10:00:00.000Z",
                         *       "secret": "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
                         *     }
                         */
                        "application/json": {
                            consecutive_failures: number;
                            /** Format: date-time */
                            created_at: string;
                            description: string | null;
                            /** @description why recur disabled it (deliveries failing for days), or that it was disabled through the API */
                            disabled_reason: string | null;
                            enabled: boolean;
                            /** @description event type names, or ["*"] for all */
                            event_types: string[];
                            failing_since: string | null;
                            /** Format: uuid */
                            id: string;
                            /** @description until then the secret before the last rotation signs too */
                            previous_secret_expires_at: string | null;
                            /** @description the signing secret (whsec_…): shown in this answer only; verify deliveries with it */
                            secret: string;
                            /** Format: date-time */
                            updated_at: string;
                            url: string;
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                503: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/webhook-events": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List inbox events, newest first, without payloads unless include_payload=true */
        get: {
            parameters: {
                query?: {
                    /** @description only items created at or after this time (ISO 8601) */
                    "created[gte]"?: string;
                    /** @description only items created at or before this time (ISO 8601) */
                    "created[lte]"?: string;
                    include_payload?: "true" | "false";
                    /** @description items per page, 1 to 100 */
                    limit?: number;
                    provider?: "stripe" | "paypal";
                    /** @description the previous page's next_cursor (the id of its last item) */
                    starting_after?: number;
                    status?: "received" | "processing" | "processed" | "ignored" | "failed" | "dead";
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Inbox events, newest first (created: the time of receipt) */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "data": [
                         *         {
                         *           "id": 1187,
                         *           "provider": "stripe",
                         *           "provider_event_id": "evt_1QdY4r2eZvKYlo2CkP0wZ7tN",
                         *           "type": "invoice.payment_failed",
                         *           "status": "dead",
                         *           "attempts": 8,
                         *           "last_error": "provider_unavailable: Stripe did not answer",
                         *           "next_attempt_at": null,
                         *           "provider_created_at": "2026-03-31T10:00:04.000Z",
                         *           "received_at": "2026-03-31T10:00:05.000Z",
                         *           "processed_at": null
                         *         }
                         *       ],
                         *       "has_more": false,
                         *       "next_cursor": null
                         *     }
                         */
                        "application/json": {
                            data: {
                                attempts: number;
                                id: number;
                                last_error: string | null;
                                next_attempt_at: string | null;
                                payload?: unknown;
                                processed_at: string | null;
                                provider: string;
                                provider_created_at: string | null;
                                provider_event_id: string;
                                /** Format: date-time */
                                received_at: string;
                                /** @enum {string} */
                                status: "received" | "processing" | "processed" | "ignored" | "failed" | "dead";
                                type: string;
                            }[];
                            /** @description whether another page follows */
                            has_more: boolean;
                            /** @description pass as starting_after for the next page; null on the last page */
                            next_cursor: number | null;
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/webhook-events/{id}/replay": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Process a dead, failed or ignored event again (attempts reset; audit-logged) */
        post: {
            parameters: {
                query?: never;
                header?: {
                    /** @description Optional, 1–255 printable ASCII characters, per API key. The first answer (any status below 500) is kept for IDEMPOTENCY_KEY_TTL_HOURS (24 h) and a retry with the same key and the same request gets it again, with `Idempotent-Replayed: true`, without the work being done again. The same key with another method, path or body: 422 idempotency_key_reused; while the first request is still at work: 409 idempotency_key_in_use with Retry-After. */
                    "idempotency-key"?: string;
                };
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description The event, back in the queue with its attempts reset */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "id": 1187,
                         *       "provider": "stripe",
                         *       "provider_event_id": "evt_1QdY4r2eZvKYlo2CkP0wZ7tN",
                         *       "type": "invoice.payment_failed",
                         *       "status": "received",
                         *       "attempts": 0,
                         *       "last_error": null,
                         *       "next_attempt_at": "2026-04-01T08:00:00.000Z",
                         *       "provider_created_at": "2026-03-31T10:00:04.000Z",
                         *       "received_at": "2026-03-31T10:00:05.000Z",
                         *       "processed_at": null
                         *     }
                         */
                        "application/json": {
                            attempts: number;
                            id: number;
                            last_error: string | null;
                            next_attempt_at: string | null;
                            payload?: unknown;
                            processed_at: string | null;
                            provider: string;
                            provider_created_at: string | null;
                            provider_event_id: string;
                            /** Format: date-time */
                            received_at: string;
                            /** @enum {string} */
                            status: "received" | "processing" | "processed" | "ignored" | "failed" | "dead";
                            type: string;
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/webhooks/{provider}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** A provider's event (Stripe's, signed in Stripe-Signature; PayPal's, signed in its PAYPAL-TRANSMISSION-* headers): verified over the raw bytes, stored, answered; processed later */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    provider: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    /**
                     * @example {
                     *       "id": "evt_1QdY4r2eZvKYlo2CkP0wZ7tN",
                     *       "object": "event",
                     *       "type": "invoice.payment_failed",
                     *       "created": 1774951204,
                     *       "data": {
                     *         "object": {
                     *           "id": "in_1QdY4q2eZvKYlo2CqR8sT1uV",
                     *           "object": "invoice",
                     *           "customer": "cus_RkP3vW9xYz1AbC",
                     *           "subscription": "sub_1QdXyZ2eZvKYlo2C8h5N3kPq",
                     *           "amount_due": 2999,
                     *           "currency": "eur",
                     *           "status": "open"
                     *         }
                     *       }
                     *     }
                     */
                    "application/json": {
                        created: number;
                        data: {
                            object: {
                                [key: string]: unknown;
                            };
                        };
                        id: string;
                        /** @enum {string} */
                        object: "event";
                        type: string;
                    } & {
                        [key: string]: unknown;
                    };
                };
            };
            responses: {
                /** @description Stored (or already stored: duplicate) */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "received": true
                         *     }
                         */
                        "application/json": {
                            /** @enum {boolean} */
                            duplicate?: true;
                            /** @enum {boolean} */
                            received: true;
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                413: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                429: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                503: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/webhooks/sendgrid": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** SendGrid's signed Event Webhook: delivery reports of notices' e-mails */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    /**
                     * @example [
                     *       {
                     *         "email": "sanne.bakker@example.nl",
                     *         "event": "delivered",
                     *         "sg_message_id": "W2nRzXo8Q7mE1bT0cVgKfA.recvd-5f7d9c-1-67E1A2B3-4.0",
                     *         "timestamp": 1774346409
                     *       }
                     *     ]
                     */
                    "application/json": ({
                        email: string;
                        event: string;
                        sg_message_id: string;
                        timestamp: number;
                    } & {
                        [key: string]: unknown;
                    })[];
                };
            };
            responses: {
                /** @description Verified and applied to the outbox (unknown: no such message; ignored: older than what is recorded, or about another message than the notice it names) */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "received": true,
                         *       "applied": 1,
                         *       "unknown": 0,
                         *       "ignored": 0
                         *     }
                         */
                        "application/json": {
                            applied: number;
                            ignored: number;
                            /** @enum {boolean} */
                            received: true;
                            unknown: number;
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                413: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                429: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                503: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/webhooks/twilio": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Twilio's status callback (X-Twilio-Signature): delivery reports of notices' SMS */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    /**
                     * @example {
                     *       "MessageSid": "SM3f1c2b4a5d6e7f8091a2b3c4d5e6f7a8",
                     *       "MessageStatus": "delivered"
                     *     }
                     */
                    "application/x-www-form-urlencoded": {
                        ErrorCode?: string;
                        MessageSid: string;
                        MessageStatus: string;
                    } & {
                        [key: string]: unknown;
                    };
                };
            };
            responses: {
                /** @description Verified and applied to the outbox (unknown: no such message; ignored: older than what is recorded, or about another message than the notice it names) */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "received": true,
                         *       "applied": 1,
                         *       "unknown": 0,
                         *       "ignored": 0
                         *     }
                         */
                        "application/json": {
                            applied: number;
                            ignored: number;
                            /** @enum {boolean} */
                            received: true;
                            unknown: number;
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                413: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                429: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                503: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
}
export type webhooks = Record<string, never>;
export interface components {
    schemas: {
        /**
         * @description recur's error: a stable code from its catalogue, a message for people, and the request id (also the X-Request-Id header) to quote
         * @example {
         *       "error": {
         *         "code": "not_found",
         *         "message": "customer \"shop-1042\" does not exist",
         *         "requestId": "9b1deb4d-3b7d-4bad-9bdd-2b0d7b3dcb6d"
         *       }
         *     }
         */
        Error: {
            error: {
                code: string;
                details?: {
                    [key: string]: string;
                };
                message: string;
                requestId: string;
            };
        };
        /**
         * @description recur's error: a stable code from its catalogue, a message for people, and the request id (also the X-Request-Id header) to quote
         * @example {
         *       "error": {
         *         "code": "not_found",
         *         "message": "customer \"shop-1042\" does not exist",
         *         "requestId": "9b1deb4d-3b7d-4bad-9bdd-2b0d7b3dcb6d"
         *       }
         *     }
         */
        ErrorInput: {
            error: {
                code: string;
                details?: {
                    [key: string]: string;
                };
                message: string;
                requestId: string;
            };
        };
    };
    responses: never;
    parameters: never;
    requestBodies: never;
    headers: never;
    pathItems: never;
}
export type $defs = Record<string, never>;
export type operations = Record<string, never>;
