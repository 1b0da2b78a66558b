// Command wxrgen writes a WordPress export (WXR 1.2) of many posts, for
// measuring `masthead import wordpress` at scale (scripts/bench-wordpress).
// Posts carry Gutenberg and classic bodies of about 4 KB (about 100 MB for 20,000 posts), categories with
// a hierarchy, tags, several authors, comments, drafts and a few future
// posts, so that every path of the import runs. It is not part of the
// product.
//
//	go run ./scripts/wxrgen -posts 20000 -out /tmp/big.xml
package main

import (
	"bufio"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"strings"
	"time"
)

func main() {
	posts := flag.Int("posts", 20000, "posts to write")
	out := flag.String("out", "", "file to write (default: standard output)")
	flag.Parse()
	w := bufio.NewWriterSize(os.Stdout, 1<<20)
	if *out != "" {
		f, err := os.Create(*out)
		if err != nil {
			fmt.Fprintln(os.Stderr, "wxrgen:", err)
			os.Exit(1)
		}
		defer f.Close()
		w = bufio.NewWriterSize(f, 1<<20)
	}
	write(w, *posts)
	if err := w.Flush(); err != nil {
		fmt.Fprintln(os.Stderr, "wxrgen:", err)
		os.Exit(1)
	}
}

var words = strings.Fields(`the peninsula seoul beijing talks trade alliance summit minister policy
security economy exports chips supply chain dialogue denuclearization cooperation regional
analysts officials meeting week report growth market energy climate visit agreement
“quoted” café naïve 한국 中国 — résumé`)

func sentence(r *rand.Rand, n int) string {
	out := make([]string, n)
	for i := range out {
		out[i] = words[r.IntN(len(words))]
	}
	rs := []rune(strings.Join(out, " "))
	return strings.ToUpper(string(rs[:1])) + string(rs[1:]) + "."
}

func write(w *bufio.Writer, posts int) {
	r := rand.New(rand.NewPCG(1, 2))
	fmt.Fprint(w, `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:excerpt="http://wordpress.org/export/1.2/excerpt/" xmlns:content="http://purl.org/rss/1.0/modules/content/"
 xmlns:wfw="http://wellformedweb.org/CommentAPI/" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:wp="http://wordpress.org/export/1.2/">
<channel>
<title>Generated Archive</title>
<link>https://archive.example</link>
<wp:wxr_version>1.2</wp:wxr_version>
<wp:base_site_url>https://archive.example</wp:base_site_url>
<wp:base_blog_url>https://archive.example</wp:base_blog_url>
`)
	for i := 0; i < 8; i++ {
		fmt.Fprintf(w, "<wp:author><wp:author_id>%d</wp:author_id><wp:author_login><![CDATA[author%d]]></wp:author_login><wp:author_display_name><![CDATA[Author Number %d]]></wp:author_display_name></wp:author>\n", i+1, i, i)
	}
	for i := 0; i < 30; i++ {
		parent := ""
		if i >= 10 {
			parent = fmt.Sprintf("cat-%d", i%10)
		}
		fmt.Fprintf(w, "<wp:category><wp:term_id>%d</wp:term_id><wp:category_nicename>cat-%d</wp:category_nicename><wp:category_parent>%s</wp:category_parent><wp:cat_name><![CDATA[Category %d]]></wp:cat_name></wp:category>\n", i+1, i, parent, i)
	}
	for i := 0; i < 200; i++ {
		fmt.Fprintf(w, "<wp:tag><wp:term_id>%d</wp:term_id><wp:tag_slug>tag-%d</wp:tag_slug><wp:tag_name><![CDATA[Tag %d]]></wp:tag_name></wp:tag>\n", 100+i, i, i)
	}
	start := time.Date(2010, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := 1; i <= posts; i++ {
		item(w, r, i, start.Add(time.Duration(i)*3*time.Hour))
	}
	fmt.Fprint(w, "</channel>\n</rss>\n")
}

func item(w *bufio.Writer, r *rand.Rand, id int, date time.Time) {
	status := "publish"
	switch {
	case id%50 == 0:
		status = "draft"
	case id%97 == 0:
		status = "pending"
	case id%1000 == 0:
		status = "future"
		date = time.Now().UTC().AddDate(0, 1, 0)
	}
	title := sentence(r, 4+r.IntN(6))
	title = strings.TrimSuffix(title, ".") + fmt.Sprintf(" %d", id)
	slug := fmt.Sprintf("post-%d", id)
	var body strings.Builder
	gutenberg := id%2 == 0
	for p := 0; p < 8; p++ {
		text := sentence(r, 50+r.IntN(20))
		if gutenberg {
			fmt.Fprintf(&body, "<!-- wp:paragraph -->\n<p>%s <strong>%s</strong> <a href=\"https://archive.example/post-%d/\">link</a></p>\n<!-- /wp:paragraph -->\n\n", text, words[r.IntN(len(words))], 1+r.IntN(id))
		} else {
			fmt.Fprintf(&body, "%s <em>%s</em>\n\n", text, words[r.IntN(len(words))])
		}
	}
	d := date.Format("2006-01-02 15:04:05")
	fmt.Fprintf(w, `<item>
<title><![CDATA[%s]]></title>
<link>https://archive.example/%s/%s/</link>
<dc:creator><![CDATA[author%d]]></dc:creator>
<guid isPermaLink="false">https://archive.example/?p=%d</guid>
<content:encoded><![CDATA[%s]]></content:encoded>
<excerpt:encoded><![CDATA[]]></excerpt:encoded>
<wp:post_id>%d</wp:post_id>
<wp:post_date><![CDATA[%s]]></wp:post_date>
<wp:post_date_gmt><![CDATA[%s]]></wp:post_date_gmt>
<wp:post_modified_gmt><![CDATA[%s]]></wp:post_modified_gmt>
<wp:post_name><![CDATA[%s]]></wp:post_name>
<wp:status><![CDATA[%s]]></wp:status>
<wp:post_type><![CDATA[post]]></wp:post_type>
<wp:post_password><![CDATA[]]></wp:post_password>
<category domain="category" nicename="cat-%d"><![CDATA[Category %d]]></category>
<category domain="post_tag" nicename="tag-%d"><![CDATA[Tag %d]]></category>
<category domain="post_tag" nicename="tag-%d"><![CDATA[Tag %d]]></category>
<wp:comment><wp:comment_id>%d</wp:comment_id><wp:comment_content><![CDATA[Nice.]]></wp:comment_content></wp:comment>
</item>
`, title, date.Format("2006/01"), slug, r.IntN(8), id, body.String(), id, d, d, d, slug, status,
		id%30, id%30, id%200, id%200, (id*7)%200, (id*7)%200, id)
}
