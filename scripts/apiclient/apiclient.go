// Package apiclient is the small client of the management API that the
// load scripts (seed, soak) share: sign in, then bearer calls with JSON
// bodies, retried after a 5xx or 429.
package apiclient

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"time"
)

// Client calls the management API with a bearer token.
type Client struct {
	Base  string // the server, such as http://127.0.0.1:8080
	token string
	http  *http.Client
}

// SignIn logs in with a password and trades the session for an API token
// named tokenName, so that every later call is a plain bearer request.
func SignIn(base, email, password, tokenName string) (*Client, error) {
	jar, _ := cookiejar.New(nil)
	c := &Client{Base: base, http: &http.Client{Jar: jar, Timeout: 30 * time.Second}}
	var login struct {
		CSRF string `json:"csrf_token"`
	}
	if err := c.Do("POST", "/api/v1/auth/login", map[string]string{"email": email, "password": password}, &login, nil); err != nil {
		return nil, err
	}
	var tok struct {
		Token string `json:"token"`
	}
	if err := c.Do("POST", "/api/v1/tokens", map[string]any{"name": tokenName}, &tok, map[string]string{"X-CSRF-Token": login.CSRF}); err != nil {
		return nil, err
	}
	c.token, c.http = tok.Token, &http.Client{Timeout: 30 * time.Second}
	return c, nil
}

// Call is Do without headers, tried again (up to 5 times, backing off)
// after a 5xx or 429.
func (c *Client) Call(method, path string, body, out any) error {
	var err error
	for attempt := range 5 {
		if err = c.Do(method, path, body, out, nil); !errors.Is(err, errRetry) {
			return err
		}
		time.Sleep(time.Duration(50<<attempt) * time.Millisecond)
	}
	return err
}

var errRetry = errors.New("temporary failure")

// Do sends body as JSON with the extra headers and decodes the answer
// into out (when not nil); a status of 300 or more is an error.
func (c *Client) Do(method, path string, body, out any, headers map[string]string) error {
	data, err := json.Marshal(body)
	if err != nil {
		return err
	}
	req, err := http.NewRequest(method, c.Base+path, bytes.NewReader(data))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	respBody, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode >= 500 || resp.StatusCode == http.StatusTooManyRequests {
		return fmt.Errorf("%s %s: %d %s: %w", method, path, resp.StatusCode, respBody, errRetry)
	}
	if resp.StatusCode >= 300 {
		return fmt.Errorf("%s %s: %d %s", method, path, resp.StatusCode, respBody)
	}
	if out != nil {
		return json.Unmarshal(respBody, out)
	}
	return nil
}
