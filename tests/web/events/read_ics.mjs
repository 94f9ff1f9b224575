// Reads an iCalendar file from standard input with Mozilla's ical.js (as Thunderbird and many
// web calendars do) and prints what it understood as JSON, for tests/web/events/test_calendar_readers.py.
import ICAL from "ical.js";

const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const root = new ICAL.Component(ICAL.parse(Buffer.concat(chunks).toString("utf8")));

for (const zone of root.getAllSubcomponents("vtimezone")) {
  ICAL.TimezoneService.register(zone);
}

const text = (component, name) => {
  const value = component.getFirstPropertyValue(name);
  return value === null ? null : String(value);
};

const events = root.getAllSubcomponents("vevent").map((component) => {
  const event = new ICAL.Event(component);
  const organizer = component.getFirstProperty("organizer");
  const categories = component.getFirstProperty("categories");
  return {
    uid: event.uid,
    summary: event.summary,
    description: event.description,
    location: event.location,
    status: text(component, "status"),
    sequence: event.sequence,
    start: event.startDate.toJSDate().toISOString(),
    end: event.endDate.toJSDate().toISOString(),
    organizer_cn: organizer ? organizer.getParameter("cn") : null,
    categories: categories ? categories.getValues().map(String) : [],
  };
});

process.stdout.write(JSON.stringify({ name: text(root, "x-wr-calname"), events }));
