// Package walk is Manbang's walk-through: the real head-end with its demo
// catalogue (manbang-headend --demo) and the real box (manbang
// --operator URL --control ADDR, as make run starts it, with state and
// cache directories of its own), driven only through the box's control
// endpoint as a viewer with a remote would drive it: keys in, the state
// JSON and screenshots out. Each walk is a new box; each step is a
// sub-test that presses keys, waits (a poll of the state with a
// deadline) for what the viewer should see, and keeps its screenshot as
// bin/walk/NN-step.png, checking that it is not blank.
//
//	vod       Home's rows, a category's "see all", its grid, a title's
//	          page, play, pause, resume, fast forward (2x, 4x) and back to
//	          normal speed, seek back, rewind to the start (which plays
//	          on at normal speed), seek forward, the end of the title
//	          back to its page, play again and Back, Back to Home
//	search    the on-screen keyboard in Korean (Hangul composed from
//	          jamo), English and Russian, the UI language switched in
//	          Settings for each: a query typed with the arrows and OK, its
//	          results, a result's page
//	live      a channel from Home's live row, the channel list (red key),
//	          CH+ and CH-, a number dialled with the digits, Last
//	guide     the guide (green key): channels and programmes, moving
//	          across channels and programmes, OK on the programme on now
//	settings  the menu key, the UI language (Home's words change), a new
//	          parental PIN, a wrong and a right PIN for the parental
//	          limit, a rated title asking for the PIN, overscan
//	privacy   Settings' "what this box remembers": a channel watched is
//	          counted and cleared with OK; sharing where the viewer
//	          stopped with the operator is off on a new box, and chosen
//	          with the arrows
//	phone     Settings' phone remote (the box started with --remote-addr
//	          on loopback): a QR code and a code; a phone (an HTTP client)
//	          opens the QR code's address, is refused keys before it
//	          pairs, pairs with the code, presses Back and OK that move
//	          the TV; the viewer removes it with the remote, and its next
//	          key is refused (401)
//	media     a FAT stick made by mkfs.vfat and filled by mcopy (Korean
//	          and Russian names, one in CP949), mounted read-only through
//	          fusefat under the box's --media root while it runs: Home
//	          shows it with a notice; its browser, a folder, a video to
//	          its first frame, a seek, Back; a song and the next of the
//	          folder by itself; a photo and the next; then the stick
//	          unmounted while a video plays, and Home says it was removed
//
// The tests carry the build tag "walk" and need the binaries and a
// display: make walk builds them and runs the suite under Xvfb. The
// demo's media is made once (a minute or two) in the head-end's data
// directory, by default the one make run uses.
package walk
