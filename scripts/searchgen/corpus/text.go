package corpus

import (
	"math/rand"
	"strings"
	"unicode"
)

// function words lead the vocabulary, as in any English text; most are
// stop words the query parser drops.
var functionWords = strings.Fields(`the of and to in a that is for on it with as was by at be this are from
have has an which will its not but or their more been were would also they than had said over after can
about into new other could between who two one first while both since under up such may these when only
most all some there what much last during against through year without further because so any before
should those many three then however now well where still each how very our us out if no`)

// domainWords are the vocabulary of foreign-policy and economics
// briefings, roughly by how often they occur.
var domainWords = strings.Fields(`government policy security economic korea china united states president
minister officials trade military talks cooperation agreement region regional international relations
foreign national political support development market growth countries country administration meeting
summit alliance defense nuclear energy investment global washington beijing seoul tokyo pyongyang
sanctions election exports imports bank financial public strategy leaders leadership issue issues
council committee parliament assembly party opposition reform reforms budget spending inflation
interest rates currency supply chain chains technology semiconductor semiconductors industry industrial
companies firms production manufacturing workers labor employment jobs households consumers prices
demand tariffs tariff negotiations dialogue diplomatic diplomacy envoy embassy ambassador visit visits
statement joint declaration framework initiative program programme project projects funding aid
assistance humanitarian crisis tensions conflict border maritime naval forces troops exercises drills
missile missiles launch launches test tests deterrence extended peninsula denuclearization
unification peace stability risk risks pressure response measures measure law legislation court ruling
decision approval vote voters campaign candidate polls poll survey analysts analysis observers experts
report reports data figures percent quarter annual monthly weekly record decline increase rise fall
slowdown recovery recession outlook forecast projections targets target goals climate emissions carbon
renewable power grid oil gas coal nuclear reactor reactors electricity fuel shipping ports logistics
infrastructure railway roads construction housing property real estate debt loans credit lending
banks investors capital markets stocks bonds yields exchange rate won yen yuan dollar euro central
monetary fiscal stimulus subsidies subsidy tax taxes revenue deficit surplus balance account accounts
pension welfare health healthcare hospitals pandemic vaccine vaccines education schools universities
students research innovation startups digital data privacy cyber cybersecurity artificial intelligence
chips batteries electric vehicles automakers steel shipbuilding petrochemical agriculture farmers food
rice imports fisheries water environment pollution disaster earthquake typhoon flood floods wildfire
population aging birth rate fertility migration migrants refugees human rights freedom press media
social networks platform platforms online internet telecom satellite space launch vehicle intelligence
agency service ministry department office bureau commission regulators regulation regulatory oversight
compliance corruption investigation prosecutors charges trial sentence prison pardon protest protests
rally strike unions union wages minimum productivity competitiveness export import partners partner
partnership bilateral multilateral trilateral quadrilateral quad asean apec g7 g20 nato un wto imf
japan russia india australia vietnam indonesia philippines taiwan singapore thailand malaysia europe
germany france britain canada mexico brazil africa middle east ukraine israel iran saudi arabia
calibrate calibrates calibrated calibration recalibrate approach approaches stance position positions
posture signal signals signaling message messaging rhetoric narrative commitment commitments pledge
pledges promise promises concern concerns warning warnings threat threats challenge challenges
opportunity opportunities benefit benefits cost costs impact impacts effect effects consequence
consequences implication implications context background history historical legacy future prospects
scenario scenarios option options choice choices tradeoff balance hedging hedge alignment realignment
competition rivalry strategic tactical operational institutional structural systemic domestic external
internal bilateralism multilateralism regionalism nationalism populism pragmatism engagement
containment coexistence normalization reconciliation rapprochement escalation deescalation crisis`)

var phrases = []string{
	"north korea", "united states", "supply chain", "joint statement", "national security",
	"central bank", "interest rates", "free trade agreement", "human rights", "climate change",
	"missile test", "foreign ministry", "trade deficit", "economic growth", "defense minister",
	"ad hoc basis", "artificial intelligence", "electric vehicles", "extended deterrence", "summit meeting",
	"real estate", "exchange rate", "minimum wage", "semiconductor exports", "energy security",
	"peace process", "military exercises", "rule of law", "indo pacific strategy", "critical minerals",
	"clean energy transition", "export controls", "maritime security", "public opinion", "budget deficit",
	"labor market", "green hydrogen", "nuclear weapons", "regional stability", "digital economy",
}

var topics = strings.Fields(`north-korea china japan trade security economy energy technology alliances
diplomacy defense climate finance politics society united-states russia taiwan southeast-asia
semiconductors supply-chains human-rights elections labor health infrastructure migration
cybersecurity agriculture shipping`)

var firstNames = strings.Fields(`Yong Min-ji Sung Hae-won Ji-hoon Seo-yeon Kenji Aiko Wei Lin Mei David Sarah
Michael Emily James Laura Daniel Anna Thomas Maria Robert Julia Peter Clara Ahmed Fatima Ravi Priya
Hiroshi Yuki Jae Eun`)

var lastNames = strings.Fields(`Kwon Kim Lee Park Choi Jung Kang Cho Yoon Jang Lim Han Oh Seo Shin
Tanaka Sato Wang Chen Zhang Smith Jones Brown Miller Davis Garcia Wilson Moore Taylor Martin
Schmidt Rossi Dubois Nakamura`)

var syllables = strings.Fields(`ka ko ri ra mon sel ter vin dor lan mar pel sto gra bri cal tor ven
lis nor pra dul fen hol kri mas nev ost pur rin sam tal uld vor wen xan yel zor ban cer dim fal gor
hes jun lem mir nat oph pes quin rol sun tam ver wil zen`)

// vocabulary is every word in rank order: function words first, then
// domain words interleaved, then a long tail of coined words (place
// names, acronyms, jargon) so that rare words are really rare.
func vocabulary(r *rand.Rand, tail int) []string {
	seen := map[string]bool{}
	var out []string
	add := func(w string) {
		if !seen[w] {
			seen[w] = true
			out = append(out, w)
		}
	}
	fw, dw := functionWords, domainWords
	for i := 0; i < 30 && i < len(fw); i++ {
		add(fw[i])
	}
	fw = fw[30:]
	for len(fw) > 0 || len(dw) > 0 {
		if len(fw) > 0 {
			add(fw[0])
			fw = fw[1:]
		}
		for i := 0; i < 2 && len(dw) > 0; i++ {
			add(dw[0])
			dw = dw[1:]
		}
	}
	for len(out) < len(functionWords)+len(domainWords)+tail {
		n := 2 + r.Intn(3)
		var b strings.Builder
		for j := 0; j < n; j++ {
			b.WriteString(syllables[r.Intn(len(syllables))])
		}
		add(b.String())
	}
	return out
}

// textGen writes sentences of Zipf-distributed words.
type textGen struct {
	r     *rand.Rand
	vocab []string
	zipf  *rand.Zipf
	pz    *rand.Zipf
}

func newTextGen(seed int64, tail int) *textGen {
	r := rand.New(rand.NewSource(seed))
	v := vocabulary(rand.New(rand.NewSource(seed^0x5eed)), tail)
	return &textGen{r: r, vocab: v, zipf: rand.NewZipf(r, 1.07, 2.7, uint64(len(v)-1)),
		pz: rand.NewZipf(r, 1.0001, 3, uint64(len(phrases)-1))}
}

func (g *textGen) word() string { return g.vocab[g.zipf.Uint64()] }

// sentence writes n words or so, capitalised, sometimes with a stock
// phrase, ending with a full stop.
func (g *textGen) sentence(b *strings.Builder, n int) {
	phraseAt := -1
	if g.r.Intn(10) == 0 {
		phraseAt = g.r.Intn(n)
	}
	for i := 0; i < n; i++ {
		w := g.word()
		if i == phraseAt {
			w = phrases[g.pz.Uint64()]
		}
		if i == 0 {
			w = capitalize(w)
		} else if g.r.Intn(12) == 0 {
			b.WriteString(", ")
		} else {
			b.WriteByte(' ')
		}
		b.WriteString(w)
	}
	b.WriteByte('.')
}

func (g *textGen) paragraph(minLen int) string {
	var b strings.Builder
	for b.Len() < minLen {
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		g.sentence(&b, 8+g.r.Intn(14))
	}
	return b.String()
}

// title is a short headline of mostly content words.
func (g *textGen) title() string {
	n := 4 + g.r.Intn(6)
	words := make([]string, 0, n)
	for len(words) < n {
		w := g.word()
		if g.zipfRank(w) < 30 && len(words) == 0 {
			continue
		}
		if g.r.Intn(8) == 0 {
			w = phrases[g.pz.Uint64()]
		}
		words = append(words, capitalize(w))
	}
	return strings.Join(words, " ")
}

func (g *textGen) zipfRank(w string) int {
	for i, v := range g.vocab[:64] {
		if v == w {
			return i
		}
	}
	return 64
}

func capitalize(s string) string {
	for i, r := range s {
		return string(unicode.ToUpper(r)) + s[i+len(string(r)):]
	}
	return s
}
