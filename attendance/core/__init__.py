"""Pure code of the duty system: the device protocols, the duty schedule, the
workday calendar and the judge. No Django, no database; tested table by table."""
