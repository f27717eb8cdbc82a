#!/usr/bin/env python3
"""Writes a synthetic .ics file of about --mb megabytes for the calendar import benchmark (bench/import/calendar.sh).

--shape small:   minimal events (UID, DTSTART/DTEND, ORGANIZER, one ATTENDEE): about 170 bytes each, so a 15 MB file
                 holds about 100,000 events, the file of issue 9.4.
--shape outlook: events as Outlook exports them: SUMMARY, LOCATION, a folded 1 KB DESCRIPTION, five attendees with
                 CN/ROLE/PARTSTAT, a VALARM: about 1.9 KB each.
Every 50th event is a weekly series (COUNT=8), every 7th is in America/New_York, the rest in UTC. Deterministic.
"""
import argparse, random

p = argparse.ArgumentParser()
p.add_argument("--mb", type=float, required=True)
p.add_argument("--shape", choices=["small", "outlook"], default="small")
p.add_argument("--out", required=True)
a = p.parse_args()
target = int(a.mb * 1024 * 1024)
rng = random.Random(42)
words = "budget review plan sync quarterly pipeline contract trading desk power gas west east forecast risk".split()

def fold(line):
    out, first = [], True
    while line:
        n = 75 if first else 74
        out.append(("" if first else " ") + line[:n]); line = line[n:]; first = False
    return "\r\n".join(out)

written = 0
events = 0
with open(a.out, "w", newline="") as f:
    head = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//MailRapport//bench//EN\r\n"
    f.write(head); written += len(head)
    while written < target:
        i = events
        day = 1 + i % 28; month = 1 + (i // 28) % 12; year = 2024 + (i // 336) % 2; hour = 8 + i % 9
        if i % 7 == 0:
            start = f"DTSTART;TZID=America/New_York:{year}{month:02}{day:02}T{hour:02}0000"
            end = f"DTEND;TZID=America/New_York:{year}{month:02}{day:02}T{hour:02}3000"
        else:
            start = f"DTSTART:{year}{month:02}{day:02}T{hour:02}0000Z"
            end = f"DTEND:{year}{month:02}{day:02}T{hour:02}3000Z"
        lines = ["BEGIN:VEVENT", f"UID:e{i}@b.example", start, end]
        if i % 50 == 0:
            lines.append("RRULE:FREQ=WEEKLY;COUNT=8")
        if a.shape == "small":
            lines += [f"ORGANIZER:mailto:o{i % 500}@b.example", f"ATTENDEE:mailto:a{i % 2000}@b.example"]
        else:
            lines += [f"SUMMARY:{' '.join(rng.choice(words) for _ in range(5))}", f"LOCATION:Room {i % 40}",
                      f"ORGANIZER;CN=Organizer {i % 500}:mailto:o{i % 500}@b.example"]
            for k in range(5):
                lines.append(f"ATTENDEE;CN=\"Person, {k} {i % 2000}\";ROLE={'OPT' if k == 4 else 'REQ'}-PARTICIPANT;PARTSTAT=ACCEPTED:mailto:a{(i + k * 37) % 2000}@b.example")
            lines.append(fold("DESCRIPTION:" + " ".join(rng.choice(words) for _ in range(110))))
            lines += ["BEGIN:VALARM", "TRIGGER:-PT15M", "ACTION:DISPLAY", "DESCRIPTION:Reminder", "END:VALARM"]
        lines.append("END:VEVENT")
        text = "\r\n".join(lines) + "\r\n"
        f.write(text); written += len(text); events += 1
    f.write("END:VCALENDAR\r\n")
print(f"{a.out}: {written / 1024 / 1024:.1f} MB, {events} events ({a.shape})")
