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
