// No imports: the API benchmark's bare baseline server sends this exact SQL too.

/**
 * The clocks of the ticket row `t` as one JSON value, for the tickets module to select with the
 * ticket itself (a view column: see TicketExtensions); `clocksFromJson` reads it back.
 */
export const CLOCKS_OF_TICKET_JSON = `SELECT json_agg(json_build_object(
           'clock', to_json(s), 'policy_name', p.name,
           'calendar', CASE WHEN c.id IS NULL THEN NULL
                       ELSE json_build_object('timeZone', c.time_zone, 'workingHours', c.working_hours, 'holidays', c.holidays) END))
      FROM ticket_sla s LEFT JOIN sla_policies p ON p.id = s.policy_id LEFT JOIN sla_calendars c ON c.id = s.calendar_id
     WHERE s.ticket_id = t.id`;

/** The policy that applies to ticket $1 now (its project's, else the global one), with its calendar. */
export const POLICY_TERMS_OF_TICKET = `SELECT t.priority, p.id, p.name, p.project_id, p.calendar_id, p.warning_percent, p.targets, p.created_at, p.updated_at,
              c.time_zone, c.working_hours, c.holidays
         FROM tickets t
         JOIN LATERAL (SELECT * FROM sla_policies p WHERE p.project_id = t.project_id OR p.project_id IS NULL
                        ORDER BY p.project_id NULLS LAST LIMIT 1) p ON true
         LEFT JOIN sla_calendars c ON c.id = p.calendar_id
        WHERE t.id = $1`;
