package render

import "net/url"

// Licence is a hero image's licence as delivered: its SPDX identifier,
// full name and the address of its text, so that a front end can print
// "CC BY-SA 2.0" linked to the deed without a table of its own.
type Licence struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	URL  string `json:"url"`
}

// spdx names the licences newsrooms use for pictures and words, from the
// SPDX License List (https://spdx.org/licenses/). Media accepts any
// SPDX-style identifier; one not listed here is delivered with its id as
// its name and the SPDX page that would describe it.
var spdx = map[string][2]string{
	"CC0-1.0":         {"Creative Commons Zero v1.0 Universal", "https://creativecommons.org/publicdomain/zero/1.0/"},
	"CC-PDDC":         {"Creative Commons Public Domain Dedication and Certification", "https://creativecommons.org/licenses/publicdomain/"},
	"CC-BY-1.0":       {"Creative Commons Attribution 1.0 Generic", "https://creativecommons.org/licenses/by/1.0/"},
	"CC-BY-2.0":       {"Creative Commons Attribution 2.0 Generic", "https://creativecommons.org/licenses/by/2.0/"},
	"CC-BY-2.5":       {"Creative Commons Attribution 2.5 Generic", "https://creativecommons.org/licenses/by/2.5/"},
	"CC-BY-3.0":       {"Creative Commons Attribution 3.0 Unported", "https://creativecommons.org/licenses/by/3.0/"},
	"CC-BY-4.0":       {"Creative Commons Attribution 4.0 International", "https://creativecommons.org/licenses/by/4.0/"},
	"CC-BY-SA-1.0":    {"Creative Commons Attribution Share Alike 1.0 Generic", "https://creativecommons.org/licenses/by-sa/1.0/"},
	"CC-BY-SA-2.0":    {"Creative Commons Attribution Share Alike 2.0 Generic", "https://creativecommons.org/licenses/by-sa/2.0/"},
	"CC-BY-SA-2.5":    {"Creative Commons Attribution Share Alike 2.5 Generic", "https://creativecommons.org/licenses/by-sa/2.5/"},
	"CC-BY-SA-3.0":    {"Creative Commons Attribution Share Alike 3.0 Unported", "https://creativecommons.org/licenses/by-sa/3.0/"},
	"CC-BY-SA-4.0":    {"Creative Commons Attribution Share Alike 4.0 International", "https://creativecommons.org/licenses/by-sa/4.0/"},
	"CC-BY-ND-2.0":    {"Creative Commons Attribution No Derivatives 2.0 Generic", "https://creativecommons.org/licenses/by-nd/2.0/"},
	"CC-BY-ND-3.0":    {"Creative Commons Attribution No Derivatives 3.0 Unported", "https://creativecommons.org/licenses/by-nd/3.0/"},
	"CC-BY-ND-4.0":    {"Creative Commons Attribution No Derivatives 4.0 International", "https://creativecommons.org/licenses/by-nd/4.0/"},
	"CC-BY-NC-2.0":    {"Creative Commons Attribution Non Commercial 2.0 Generic", "https://creativecommons.org/licenses/by-nc/2.0/"},
	"CC-BY-NC-3.0":    {"Creative Commons Attribution Non Commercial 3.0 Unported", "https://creativecommons.org/licenses/by-nc/3.0/"},
	"CC-BY-NC-4.0":    {"Creative Commons Attribution Non Commercial 4.0 International", "https://creativecommons.org/licenses/by-nc/4.0/"},
	"CC-BY-NC-SA-2.0": {"Creative Commons Attribution Non Commercial Share Alike 2.0 Generic", "https://creativecommons.org/licenses/by-nc-sa/2.0/"},
	"CC-BY-NC-SA-3.0": {"Creative Commons Attribution Non Commercial Share Alike 3.0 Unported", "https://creativecommons.org/licenses/by-nc-sa/3.0/"},
	"CC-BY-NC-SA-4.0": {"Creative Commons Attribution Non Commercial Share Alike 4.0 International", "https://creativecommons.org/licenses/by-nc-sa/4.0/"},
	"CC-BY-NC-ND-2.0": {"Creative Commons Attribution Non Commercial No Derivatives 2.0 Generic", "https://creativecommons.org/licenses/by-nc-nd/2.0/"},
	"CC-BY-NC-ND-3.0": {"Creative Commons Attribution Non Commercial No Derivatives 3.0 Unported", "https://creativecommons.org/licenses/by-nc-nd/3.0/"},
	"CC-BY-NC-ND-4.0": {"Creative Commons Attribution Non Commercial No Derivatives 4.0 International", "https://creativecommons.org/licenses/by-nc-nd/4.0/"},
	"MIT":             {"MIT License", "https://opensource.org/license/mit/"},
	"Apache-2.0":      {"Apache License 2.0", "https://www.apache.org/licenses/LICENSE-2.0"},
	"GFDL-1.3":        {"GNU Free Documentation License v1.3", "https://www.gnu.org/licenses/fdl-1.3.html"},
	"OGL-UK-3.0":      {"Open Government Licence v3.0", "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/"},
}

// LicenceOf describes an SPDX identifier; an empty one is no licence.
func LicenceOf(id string) *Licence {
	if id == "" {
		return nil
	}
	if l, ok := spdx[id]; ok {
		return &Licence{ID: id, Name: l[0], URL: l[1]}
	}
	return &Licence{ID: id, Name: id, URL: "https://spdx.org/licenses/" + url.PathEscape(id) + ".html"}
}
